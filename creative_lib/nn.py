# Generated from notebooks/01_neural_networks_and_backprop.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/01_neural_networks_and_backprop.ipynb 5
"""Lesson 01: neural networks and backpropagation, from one neuron to a Keras model.

Shapes: N examples, D input features, H hidden units, K outputs (classes, or 1 for regression).
The parameters of an MLP are a list of (W, b) pairs, W (fan_in, fan_out), b (fan_out,).
"""
import math

import keras
import numpy as np


# %% notebooks/01_neural_networks_and_backprop.ipynb 7
def step(z):
    """Heaviside step: 1 where z >= 0, else 0."""
    return (np.asarray(z) >= 0).astype(np.float64)


def threshold_unit(x, w, b):
    """McCulloch-Pitts neuron: fires (1) when the weighted sum x @ w + b reaches 0.

    x: (N, D), w: (D,), b: scalar -> (N,) array of 0/1.
    """
    return step(np.asarray(x, dtype=np.float64) @ w + b).astype(int)


# %% notebooks/01_neural_networks_and_backprop.ipynb 11
def train_perceptron(x, y, epochs=20, lr=1.0):
    """Rosenblatt's perceptron rule: after each example, w += lr * (target - output) * x.

    x: (N, D), y: (N,) of 0/1. Visits the examples in order, so the result is deterministic.
    Returns (w (D,), b, mistakes per epoch (list of ints)); stops early after an epoch with no mistake.
    """
    x = np.asarray(x, dtype=np.float64)
    w, b, mistakes = np.zeros(x.shape[1]), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for xi, target in zip(x, y):
            error = target - threshold_unit(xi[None], w, b)[0]
            w += lr * error * xi
            b += lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, b, mistakes


# %% notebooks/01_neural_networks_and_backprop.ipynb 16
def step_grad(z):
    """0 everywhere (undefined at 0): no gradient flows through a step, so it cannot be trained by backprop."""
    return np.zeros_like(np.asarray(z, dtype=np.float64))


def sigmoid(z):
    """1 / (1 + e^-z), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(z, 0)


def relu_grad(z):
    """1 where z > 0, else 0 (we pick 0 at the kink)."""
    return (np.asarray(z) > 0).astype(np.float64)


def identity(z):
    return z


def identity_grad(z):
    return np.ones_like(z)


ACTIVATIONS = {
    "step": (step, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "linear": (identity, identity_grad),
}
TRAINABLE_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def activation(name):
    """(g, g') for an activation name; a one-sentence error for an unknown one."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}.")
    return ACTIVATIONS[name]


# %% notebooks/01_neural_networks_and_backprop.ipynb 21
def dense_forward(x, W, b):
    """The affine part of a layer: (N, fan_in) @ (fan_in, fan_out) + (fan_out,) -> (N, fan_out)."""
    return x @ W + b


def mlp_sizes(n_in, width, depth, n_out):
    """Layer sizes of an MLP with `depth` hidden layers of `width` units: [n_in, width, ..., n_out]."""
    if depth < 1 or width < 1:
        raise ValueError(f"An MLP needs depth >= 1 and width >= 1; got depth={depth}, width={width}.")
    return [n_in] + [width] * depth + [n_out]


def param_count(sizes):
    """Number of weights and biases of an MLP with these layer sizes."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def init_mlp(sizes, rng, dtype=np.float64):
    """Random (W, b) pairs: Glorot-uniform weights (keep the activations' scale), zero biases."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        params.append((rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype), np.zeros(fan_out, dtype)))
    return params


def mlp_forward(params, x, act="tanh"):
    """Forward pass: g after every layer but the last, which stays linear (logits or a regression output).

    x: (N, D) -> (output (N, K), cache); the cache holds each layer's input and pre-activation.
    """
    g, _ = activation(act)
    h, cache = x, []
    for i, (W, b) in enumerate(params):
        z = dense_forward(h, W, b)
        cache.append((h, z))
        h = z if i == len(params) - 1 else g(z)
    return h, cache


# %% notebooks/01_neural_networks_and_backprop.ipynb 23
def softmax(logits):
    """Softmax over the last axis of (..., K) logits, shifted by the maximum for stability."""
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of integer labels y (N,) under softmax(logits (N, K)).

    Returns (loss, dL/dlogits (N, K)); the gradient is (softmax - one_hot) / N.
    """
    y = np.asarray(y)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1
    return loss, dlogits / n


def mean_squared_error(pred, target):
    """Mean of (pred - target)^2 over all entries; returns (loss, dL/dpred)."""
    diff = pred - np.asarray(target).reshape(pred.shape)
    return np.mean(diff ** 2), 2 * diff / diff.size


LOSSES = {"xent": softmax_cross_entropy, "mse": mean_squared_error}


def predict_proba(params, x, act="tanh"):
    """Class probabilities (N, K) of a classifier MLP."""
    return softmax(mlp_forward(params, x, act)[0])


def accuracy(scores, y):
    """Fraction of examples whose highest score (probability or logit, (N, K)) is at the label y (N,)."""
    return float(np.mean(np.argmax(np.asarray(scores), axis=-1) == np.asarray(y)))


# %% notebooks/01_neural_networks_and_backprop.ipynb 35
def dense_backward(dz, x, W):
    """Gradients of the affine map z = x @ W + b, given dL/dz (N, fan_out).

    Returns (dL/dx (N, fan_in), dL/dW (fan_in, fan_out), dL/db (fan_out,)).
    """
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def mlp_backward(params, cache, dout, act="tanh"):
    """Backward pass: from dL/doutput (N, K) to [(dL/dW, dL/db), ...], the chain rule layer by layer."""
    _, dg = activation(act)
    grads = [None] * len(params)
    dz = dout
    for i in reversed(range(len(params))):
        h_in, _ = cache[i]
        dh, dW, db = dense_backward(dz, h_in, params[i][0])
        grads[i] = (dW, db)
        if i > 0:
            dz = dh * dg(cache[i - 1][1])  # through the previous layer's activation
    return grads


def loss_and_grads(params, x, y, act="tanh", loss="xent"):
    """One forward and one backward pass: (loss value, [(dW, db), ...])."""
    out, cache = mlp_forward(params, x, act)
    value, dout = LOSSES[loss](out, y)
    return value, mlp_backward(params, cache, dout, act)


# %% notebooks/01_neural_networks_and_backprop.ipynb 37
def numerical_gradient(f, x, eps=1e-6):
    """Central differences (f(x + eps) - f(x - eps)) / (2 eps) for every entry of the array x.

    f(x) -> float. x is nudged in place one entry at a time and restored. Returns an array shaped like x.
    """
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f(x)
        x[idx] = old - eps
        down = f(x)
        x[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): near 1e-10 for a correct float64 gradient; a bug gives many orders more
    (a flipped sign exactly 1, a missing factor anything up to 1: lesson 01 measures both)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_check(params, x, y, act="tanh", loss="xent", eps=1e-6):
    """Backprop's gradients vs central differences; returns the max relative error. Needs float64."""
    if any(a.dtype != np.float64 for layer in params for a in layer) or np.asarray(x).dtype != np.float64:
        raise TypeError("gradient_check needs float64 weights and inputs: in float32 finite differences "
                        "lose about half their digits to rounding.")
    _, analytic = loss_and_grads(params, x, y, act, loss)
    loss_of = lambda _: loss_and_grads(params, x, y, act, loss)[0]  # noqa: E731  (reads params, nudged in place)
    return max(relative_error(g, numerical_gradient(loss_of, a, eps))
               for layer, grads in zip(params, analytic) for a, g in zip(layer, grads))


# %% notebooks/01_neural_networks_and_backprop.ipynb 45
class SGD:
    """Gradient descent with momentum: v = mu v - lr g;  p += v. With momentum=0, plain gradient descent."""

    def __init__(self, lr=0.1, momentum=0.9):
        self.lr, self.momentum, self.velocity = lr, momentum, None

    def update(self, params, grads):
        flat_p = [a for layer in params for a in layer]
        flat_g = [a for layer in grads for a in layer]
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in flat_p]
        for p, g, v in zip(flat_p, flat_g, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba 2015): per-weight steps scaled by running moments of the gradient."""

    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, None, None

    def update(self, params, grads):
        flat_p = [a for layer in params for a in layer]
        flat_g = [a for layer in grads for a in layer]
        if self.m is None:
            self.m = [np.zeros_like(p) for p in flat_p]
            self.v = [np.zeros_like(p) for p in flat_p]
        self.t += 1
        for p, g, m, v in zip(flat_p, flat_g, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"descent": lambda lr: SGD(lr, momentum=0.0), "momentum": SGD, "adam": Adam}


# %% notebooks/01_neural_networks_and_backprop.ipynb 47
def train(params, x, y, steps, *, lr=0.01, act="tanh", loss="xent", optimizer="adam", callback=None, every=None):
    """Full-batch training of `params` in place; returns the loss of every step (list of floats).

    callback(step, params, losses) runs every `every` steps and after the last one (a live plot, say).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"The learning rate must be a positive number; got {lr!r}.")
    opt = OPTIMIZERS[optimizer](lr)
    losses = []
    for t in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # a divergence is reported just below
            value, grads = loss_and_grads(params, x, y, act, loss)
        if not np.isfinite(value):
            raise FloatingPointError(f"The loss became {value} at step {t}: lower the learning rate (now {lr}).")
        opt.update(params, grads)
        losses.append(float(value))
        if callback is not None and (t == steps or (every and t % every == 0)):
            callback(t, params, losses)
    return losses


# %% notebooks/01_neural_networks_and_backprop.ipynb 63
def fit_curve(width, depth, x, y, steps, *, lr=0.01, act="tanh", seed=0):
    """Train a 1-in, 1-out regression MLP on x, y (N, 1).

    Returns {name, params, sizes, n_params, mse, losses, output (N,), width, depth, act}.
    """
    sizes = mlp_sizes(1, width, depth, 1)
    params = init_mlp(sizes, np.random.default_rng(seed))
    losses = train(params, x, y, steps, lr=lr, act=act, loss="mse", optimizer="adam")
    output = mlp_forward(params, x, act)[0]
    return {"name": "-".join(map(str, sizes)), "params": params, "sizes": sizes, "n_params": param_count(sizes),
            "mse": float(np.mean((output - y) ** 2)), "losses": losses, "output": output[:, 0],
            "width": width, "depth": depth, "act": act}


# %% notebooks/01_neural_networks_and_backprop.ipynb 68
def width_for_params(n_params, depth, n_in=1, n_out=1):
    """The hidden width whose depth-`depth` MLP has the parameter count closest to n_params."""
    return min(range(1, 1000), key=lambda w: abs(param_count(mlp_sizes(n_in, w, depth, n_out)) - n_params))


# %% notebooks/01_neural_networks_and_backprop.ipynb 73
def build_keras_mlp(sizes, act="tanh"):
    """Our NumPy MLP's layer layout in Keras (functional API): (N, sizes[0]) -> logits (N, sizes[-1]).

    Not compiled: model.compile(...) chooses the optimizer and the loss.
    """
    if act not in TRAINABLE_ACTIVATIONS:
        raise ValueError(f"Keras models here use {', '.join(TRAINABLE_ACTIVATIONS)}; got {act!r}.")
    inputs = keras.Input((sizes[0],), name="x")
    h = inputs
    for i, width in enumerate(sizes[1:-1], start=1):
        h = keras.layers.Dense(width, activation=act, name=f"hidden{i}")(h)
    logits = keras.layers.Dense(sizes[-1], name="logits")(h)
    return keras.Model(inputs, logits, name="mlp_" + "_".join(map(str, sizes)))


def set_keras_weights(model, params):
    """Copy NumPy (W, b) pairs into the Dense layers of `model` (same layout: W is fan_in x fan_out)."""
    dense = [layer for layer in model.layers if layer.weights]
    if len(dense) != len(params):
        raise ValueError(f"The Keras model has {len(dense)} Dense layers; the NumPy MLP has {len(params)}.")
    for layer, (W, b) in zip(dense, params):
        layer.set_weights([W, b])

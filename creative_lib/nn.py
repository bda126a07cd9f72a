"""Lesson 01: neural networks and backpropagation, from one neuron to a Keras model.

Read top to bottom, this module follows the lesson:

1. the threshold unit (McCulloch & Pitts 1943) and Rosenblatt's perceptron rule;
2. activation functions with their derivatives, and the dense layer f = g(xW + b);
3. a multi-layer perceptron (MLP) in NumPy: forward pass, losses, backward pass by hand;
4. gradient checks: finite differences (float64) and tf.GradientTape on the same weights;
5. optimisers and a full-batch training loop that redraws the decision boundary as it learns;
6. data sets: XOR, two moons, a generated spiral, and the Iris table;
7. the universal approximation experiment (width sweep, and a deeper net of equal size);
8. the same model in Keras 3, and a TensorFlow-Playground-style widget.

Shapes: N examples, D input features, H hidden units, K outputs (classes, or 1 for regression).
Parameters of an MLP are a list of (W, b) pairs, W of shape (fan_in, fan_out), b of shape (fan_out,).
"""
import html
import io
import math
from dataclasses import dataclass

import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import display
from sklearn.datasets import load_iris, make_moons
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

# ---------------------------------------------------------------------------------------------
# 1. The artificial neuron
# ---------------------------------------------------------------------------------------------

LOGIC_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
LOGIC_TARGETS = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}


def threshold_unit(x, w, b):
    """McCulloch-Pitts neuron: fires (1) when the weighted sum x @ w + b reaches 0.

    x: (N, D), w: (D,), b: scalar -> (N,) array of 0/1.
    """
    return step(np.asarray(x, dtype=np.float64) @ w + b).astype(int)


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


# ---------------------------------------------------------------------------------------------
# 2. Activation functions and their derivatives (both as functions of the pre-activation z)
# ---------------------------------------------------------------------------------------------

def step(z):
    """Heaviside step: 1 where z >= 0, else 0."""
    return (np.asarray(z) >= 0).astype(np.float64)


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


def plot_activations(names=("step", "sigmoid", "tanh", "relu"), lo=-4.0, hi=4.0):
    """One panel per activation: g(z) solid, g'(z) dashed. Returns the Figure."""
    z = np.linspace(lo, hi, 801)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 2.8), sharey=True)
    for ax, name in zip(np.atleast_1d(axes), names):
        g, dg = activation(name)
        ax.plot(z, g(z), lw=2, label=f"{name}(z)")
        ax.plot(z, dg(z), "--", lw=1.6, label=f"{name}'(z)")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.axvline(0, color="0.6", lw=0.6)
        ax.set_title(name)
        ax.set_xlabel("z")
        ax.set_ylim(-1.3, 2.2)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# 3. A multi-layer perceptron in NumPy
# ---------------------------------------------------------------------------------------------

def dense_forward(x, W, b):
    """The affine part of a layer: (N, fan_in) @ (fan_in, fan_out) + (fan_out,) -> (N, fan_out)."""
    return x @ W + b


def dense_backward(dz, x, W):
    """Gradients of the affine map z = x @ W + b, given dL/dz (N, fan_out).

    Returns (dL/dx (N, fan_in), dL/dW (fan_in, fan_out), dL/db (fan_out,)).
    """
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


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


def loss_and_grads(params, x, y, act="tanh", loss="xent"):
    """One forward and one backward pass: (loss value, [(dW, db), ...])."""
    out, cache = mlp_forward(params, x, act)
    value, dout = LOSSES[loss](out, y)
    return value, mlp_backward(params, cache, dout, act)


def predict_proba(params, x, act="tanh"):
    """Class probabilities (N, K) of a classifier MLP."""
    return softmax(mlp_forward(params, x, act)[0])


def accuracy(params, x, y, act="tanh"):
    """Fraction of examples whose most probable class is the label."""
    return float(np.mean(predict_proba(params, x, act).argmax(axis=1) == np.asarray(y)))


# ---------------------------------------------------------------------------------------------
# 4. Checking the gradients
# ---------------------------------------------------------------------------------------------

def numerical_gradients(loss_fn, params, eps=1e-6):
    """Central differences (L(p + eps) - L(p - eps)) / (2 eps) for every entry of every array.

    loss_fn() reads `params`, which are nudged in place one entry at a time and restored.
    Returns a list shaped like `params`.
    """
    grads = []
    for arrays in params:
        layer = []
        for a in arrays:
            g = np.zeros_like(a)
            for idx in np.ndindex(a.shape):
                old = a[idx]
                a[idx] = old + eps
                up = loss_fn()
                a[idx] = old - eps
                down = loss_fn()
                a[idx] = old
                g[idx] = (up - down) / (2 * eps)
            layer.append(g)
        grads.append(tuple(layer))
    return grads


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): near 1e-10 for a correct float64 gradient, near 1 for a wrong one."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def max_relative_error(grads_a, grads_b):
    """The largest relative_error over matching arrays of two gradient lists."""
    return max(relative_error(a, b) for la, lb in zip(grads_a, grads_b) for a, b in zip(la, lb))


def gradient_check(params, x, y, act="tanh", loss="xent", eps=1e-6):
    """Backprop's gradients vs central differences; returns the max relative error. Needs float64."""
    if any(a.dtype != np.float64 for layer in params for a in layer) or np.asarray(x).dtype != np.float64:
        raise TypeError("gradient_check needs float64 weights and inputs: in float32 finite differences "
                        "lose about half their digits to rounding.")
    _, analytic = loss_and_grads(params, x, y, act, loss)
    numeric = numerical_gradients(lambda: loss_and_grads(params, x, y, act, loss)[0], params, eps)
    return max_relative_error(analytic, numeric)


def keras_activation(name):
    """The Keras function of a differentiable activation (step has no useful gradient, so no Keras twin)."""
    if name not in TRAINABLE_ACTIVATIONS + ("linear",):
        choices = ", ".join(TRAINABLE_ACTIVATIONS)
        raise ValueError(f"Keras/TensorFlow models here use {choices} or linear; got {name!r}.")
    return keras.activations.get(name)


def tape_gradients(params, x, y, act="tanh", loss="xent"):
    """The same loss written in TensorFlow ops, differentiated by tf.GradientTape (float64).

    An independent check of mlp_backward: returns (loss value, [(dW, db), ...]) as NumPy arrays.
    """
    g = keras_activation(act)
    variables = [(tf.Variable(W), tf.Variable(b)) for W, b in params]
    with tf.GradientTape() as tape:
        h = tf.constant(x)
        for i, (W, b) in enumerate(variables):
            h = tf.matmul(h, W) + b
            if i < len(variables) - 1:
                h = g(h)
        if loss == "xent":
            value = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
        else:
            value = tf.reduce_mean((h - tf.reshape(tf.constant(y, h.dtype), h.shape)) ** 2)
    grads = tape.gradient(value, variables)
    return float(value), [(dW.numpy(), db.numpy()) for dW, db in grads]


# ---------------------------------------------------------------------------------------------
# 5. Optimisers and the training loop
# ---------------------------------------------------------------------------------------------

class SGD:
    """Gradient descent with momentum: v = mu v - lr g;  p += v."""

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


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


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


# ---------------------------------------------------------------------------------------------
# 6. Data sets
# ---------------------------------------------------------------------------------------------

@dataclass
class Dataset:
    """A train/test split: x float64 (N, D), y int (N,) class labels."""
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple = ()
    features: tuple = ()

    @property
    def n_classes(self):
        return len(self.classes)


def _split(name, x, y, test_fraction, seed, classes, features=("x1", "x2")):
    xtr, xte, ytr, yte = train_test_split(x.astype(np.float64), y.astype(int), test_size=test_fraction,
                                          random_state=seed, stratify=y)
    return Dataset(name, xtr, ytr, xte, yte, tuple(classes), tuple(features))


def logic_gate(name="XOR"):
    """The truth table of AND, OR or XOR as a Dataset (train = test: there is nothing else to test on)."""
    if name not in LOGIC_TARGETS:
        raise ValueError(f"Unknown gate {name!r}; choose one of {', '.join(LOGIC_TARGETS)}.")
    x, y = LOGIC_INPUTS.copy(), LOGIC_TARGETS[name].copy()
    return Dataset(name, x, y, x.copy(), y.copy(), ("0", "1"), ("x1", "x2"))


def two_moons(n=500, noise=0.2, test_fraction=0.3, seed=0):
    """Two interleaving half circles (scikit-learn's make_moons), split into train and test."""
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _split("two moons", x, y, test_fraction, seed, ("upper", "lower"))


def spiral(n=600, classes=3, turns=1.0, noise=0.2, test_fraction=0.3, seed=0):
    """`classes` interleaved spiral arms, n points in all, generated here (no download).

    Arm k: radius r in [0, 1], angle 2*pi*turns*r + 2*pi*k/classes, plus Gaussian angle noise.
    """
    if classes < 2 or n < 2 * classes:
        raise ValueError(f"A spiral needs at least 2 classes and 2 points per class; got {classes}, n={n}.")
    rng = np.random.default_rng(seed)
    per = n // classes
    r = np.tile(np.linspace(0.05, 1.0, per), classes)
    k = np.repeat(np.arange(classes), per)
    angle = 2 * np.pi * (turns * r + k / classes) + rng.normal(0, noise, r.shape)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    return _split("spiral", x, k, test_fraction, seed, tuple(f"arm {i}" for i in range(classes)))


def iris(test_fraction=0.3, seed=0):
    """The Iris table (scikit-learn ships it), standardised with the training split's mean and spread."""
    raw = load_iris()
    ds = _split("Iris", raw.data, raw.target, test_fraction, seed, raw.target_names,
                [f.replace(" (cm)", "") for f in raw.feature_names])
    mean, std = ds.x_train.mean(axis=0), ds.x_train.std(axis=0)
    ds.x_train, ds.x_test = (ds.x_train - mean) / std, (ds.x_test - mean) / std
    return ds


DATASETS = {"two moons": two_moons, "spiral": spiral, "XOR": logic_gate}


class Table:
    """A small table that a notebook shows as HTML (and prints as aligned text)."""

    def __init__(self, columns, rows, caption=""):
        self.columns = [str(c) for c in columns]
        self.rows = [[self._fmt(v) for v in row] for row in rows]
        self.caption = caption

    @staticmethod
    def _fmt(value):
        if isinstance(value, (float, np.floating)):
            return f"{value:.2f}"
        return str(value)

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self):
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        line = lambda cells: "  ".join(v.rjust(w) for v, w in zip(cells, widths))  # noqa: E731
        rule = "  ".join("-" * w for w in widths)
        return "\n".join(([self.caption] if self.caption else []) + [line(self.columns), rule]
                         + [line(r) for r in self.rows])


def iris_table(n_rows=8, seed=0):
    """The first rows of the raw Iris data (cm, species), one flower per row, in a random but fixed order."""
    raw = load_iris()
    order = np.random.default_rng(seed).permutation(len(raw.target))[:n_rows]
    columns = [f.replace(" (cm)", "") + " (cm)" for f in raw.feature_names] + ["species"]
    rows = [list(raw.data[i]) + [raw.target_names[raw.target[i]]] for i in order]
    return Table(columns, rows, caption=f"Iris: {n_rows} of {len(raw.target)} flowers")


def predictions_table(probs, y, classes, n_rows=10):
    """True class, predicted class and each class's probability, one row per example."""
    rows = []
    for p, label in list(zip(probs, y))[:n_rows]:
        guess = int(np.argmax(p))
        rows.append([classes[label], classes[guess], "yes" if guess == label else "NO"] + list(p))
    return Table(["true", "predicted", "right?"] + [f"p({c})" for c in classes], rows)


# ---------------------------------------------------------------------------------------------
# Decision boundaries
# ---------------------------------------------------------------------------------------------

CLASS_COLORS = np.array([[0.12, 0.47, 0.71], [1.0, 0.50, 0.05], [0.17, 0.63, 0.17],
                         [0.84, 0.15, 0.16], [0.58, 0.40, 0.74]])


def boundary_grid(x, resolution=150, margin=0.3):
    """A (resolution^2, 2) grid of points covering x's 2-D bounding box, and its extent."""
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return np.stack([g0.ravel(), g1.ravel()], axis=1), (lo[0], hi[0], lo[1], hi[1])


def draw_boundary(ax, probs, extent, data, title=None):
    """Paint class probabilities (resolution^2, K) over `extent` and scatter the data's points.

    Colour mixes the class colours by probability, so pale regions are the uncertain ones.
    Train points are filled circles, test points hollow triangles.
    """
    res = int(round(math.sqrt(len(probs))))
    colors = CLASS_COLORS[: probs.shape[1]]
    rgb = 0.55 + 0.45 * (probs @ colors)  # lightened class colours
    ax.imshow(rgb.reshape(res, res, 3), origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
    if probs.shape[1] == 2:
        ax.contour(*np.meshgrid(np.linspace(*extent[:2], res), np.linspace(*extent[2:], res)),
                   probs[:, 1].reshape(res, res), levels=[0.5], colors="k", linewidths=1)
    size = 70 if len(data.x_train) < 50 else 16  # a truth table's four points must stand out
    ax.scatter(*data.x_train.T, c=colors[data.y_train], s=size, edgecolors="white", linewidths=0.5, label="train")
    if not np.array_equal(data.x_test, data.x_train):
        ax.scatter(*data.x_test.T, facecolors="none", edgecolors=colors[data.y_test], marker="^", s=1.6 * size,
                   linewidths=1.1, label="test")
    ax.set_xlim(*extent[:2])
    ax.set_ylim(*extent[2:])
    ax.set_xlabel(data.features[0] if data.features else "x1")
    ax.set_ylabel(data.features[1] if len(data.features) > 1 else "x2")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.8)


def plot_decision_boundary(proba_fn, data, ax=None, title=None, resolution=150):
    """Decision regions of proba_fn ((M, 2) -> (M, K) probabilities) with data's train/test points."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 3.8))
    grid, extent = boundary_grid(np.concatenate([data.x_train, data.x_test]), resolution)
    draw_boundary(ax, np.asarray(proba_fn(grid)), extent, data, title)
    return ax.figure


def train_live(params, data, steps, *, lr=0.01, act="tanh", optimizer="adam", redraws=10, resolution=100,
               title=None):
    """Train a classifier MLP on data.x_train, redrawing its decision boundary and loss as it learns.

    The figure is updated in place `redraws` times. Returns (losses, shots, figure): shots is a list
    of (step, grid probabilities) at every redraw, step 0 included, for plot_snapshots().
    """
    grid, extent = boundary_grid(np.concatenate([data.x_train, data.x_test]), resolution)
    fig, (ax_b, ax_l) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1.1, 1]})
    handle = display(fig, display_id=True)
    plt.close(fig)
    shots = []

    def redraw(t, p, losses):
        probs = predict_proba(p, grid, act)
        shots.append((t, probs))
        ax_b.clear()
        ax_l.clear()
        acc = accuracy(p, data.x_train, data.y_train, act)
        draw_boundary(ax_b, probs, extent, data, f"{title or data.name}: step {t}, train accuracy {acc:.2f}")
        ax_l.plot(np.arange(1, len(losses) + 1), losses, lw=1.2)
        ax_l.set(xlabel="step", ylabel="cross-entropy", title="training loss", xlim=(0, steps))
        ax_l.grid(alpha=0.3)
        fig.tight_layout()
        handle.update(fig)

    redraw(0, params, [])
    losses = train(params, data.x_train, data.y_train, steps, lr=lr, act=act, optimizer=optimizer,
                   callback=redraw, every=max(1, steps // redraws))
    return losses, shots, fig


def plot_snapshots(shots, data, count=4, resolution=100, title=None):
    """The decision boundary at `count` moments of training (first and last included), side by side."""
    _, extent = boundary_grid(np.concatenate([data.x_train, data.x_test]), resolution)
    picks = [shots[i] for i in np.unique(np.linspace(0, len(shots) - 1, count).round().astype(int))]
    fig, axes = plt.subplots(1, len(picks), figsize=(3.2 * len(picks), 3.1))
    for ax, (t, probs) in zip(np.atleast_1d(axes), picks):
        draw_boundary(ax, probs, extent, data, f"step {t}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# 7. Universal approximation in practice
# ---------------------------------------------------------------------------------------------

def ua_target(x):
    """The continuous function the nets approximate on [-1, 1]: a wave riding on a V."""
    return np.sin(3 * np.pi * x) * 0.6 + np.abs(x) - 0.5


def ua_data(n=200):
    """Evenly spaced x in [-1, 1] (N, 1) and the target y (N, 1)."""
    x = np.linspace(-1, 1, n)[:, None]
    return x, ua_target(x)


def fit_curve(width, depth, x, y, steps, *, lr=0.01, act="tanh", seed=0):
    """Train a 1-in, 1-out regression MLP on (x, y); returns {params, sizes, n_params, mse, losses}."""
    sizes = mlp_sizes(1, width, depth, 1)
    params = init_mlp(sizes, np.random.default_rng(seed))
    losses = train(params, x, y, steps, lr=lr, act=act, loss="mse", optimizer="adam")
    mse = float(np.mean((mlp_forward(params, x, act)[0] - y) ** 2))
    return {"params": params, "sizes": sizes, "n_params": param_count(sizes), "mse": mse, "losses": losses,
            "width": width, "depth": depth, "act": act}


def width_for_params(n_params, depth, n_in=1, n_out=1):
    """The hidden width whose depth-`depth` MLP has the parameter count closest to n_params."""
    return min(range(1, 1000), key=lambda w: abs(param_count(mlp_sizes(n_in, w, depth, n_out)) - n_params))


def width_sweep(widths, steps, *, lr=0.01, act="tanh", seed=0, x=None, y=None, progress=None):
    """fit_curve for one hidden layer of each width; returns the list of results."""
    if x is None:
        x, y = ua_data()
    results = []
    iterator = widths
    if progress:
        iterator = tqdm(widths, desc=progress, unit="net")
    for w in iterator:
        results.append(fit_curve(w, 1, x, y, steps, lr=lr, act=act, seed=seed))
    return results


def plot_fits(results, x, y, title, ncols=3, errors=False):
    """One panel per fitted net (target curve, the net's output, its size and error).

    errors=True adds a panel of |network - target| along x for every net, on a log scale.
    """
    n = len(results) + int(errors)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.8 * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    outputs = [mlp_forward(r["params"], x, r["act"])[0][:, 0] for r in results]
    names = ["-".join(str(s) for s in r["sizes"]) for r in results]
    for ax, r, out, name in zip(axes.flat, results, outputs, names):
        ax.plot(x[:, 0], y[:, 0], color="0.2", lw=2.5, alpha=0.35, label="target")
        ax.plot(x[:, 0], out, color="C3", lw=1.5, label="network")
        ax.set_title(f"{name}: {r['n_params']} params\nMSE {r['mse']:.5f}", fontsize=9)
        ax.set(xlabel="x", ylabel="y", ylim=(-1.3, 1.3))
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    if errors:
        ax = axes.flat[len(results)]
        for i, (out, name) in enumerate(zip(outputs, names)):
            ax.semilogy(x[:, 0], np.abs(out - y[:, 0]) + 1e-8, lw=1.2, color=f"C{i}", label=name)
        ax.set(xlabel="x", ylabel="|network - target|", title="error along x")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# 8. The same model in Keras 3, and the Playground widget
# ---------------------------------------------------------------------------------------------

def build_keras_mlp(sizes, act="tanh", lr=0.01):
    """A keras.Sequential with the layer sizes of our NumPy MLP (linear last layer: logits).

    Compiled with Adam and sparse categorical cross-entropy on logits, plus accuracy.
    """
    layers = [keras.Input((sizes[0],))]
    layers += [keras.layers.Dense(n, activation=keras_activation(act), name=f"hidden{i + 1}")
               for i, n in enumerate(sizes[1:-1])]
    layers.append(keras.layers.Dense(sizes[-1], name="logits"))
    model = keras.Sequential(layers, name="mlp_" + "_".join(map(str, sizes)))
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def set_keras_weights(model, params):
    """Copy NumPy (W, b) pairs into the Dense layers of `model` (same layout: W is fan_in x fan_out)."""
    dense = [layer for layer in model.layers if layer.weights]
    if len(dense) != len(params):
        raise ValueError(f"The Keras model has {len(dense)} Dense layers; the NumPy MLP has {len(params)}.")
    for layer, (W, b) in zip(dense, params):
        layer.set_weights([W, b])


def minibatches(x, y, batch_size, seed=0):
    """An endless iterator of shuffled (x, y) mini-batches (float32 x), a new order every epoch."""
    rng = np.random.default_rng(seed)
    x = x.astype(np.float32)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]


def keras_proba(model):
    """A proba_fn for plot_decision_boundary from a Keras model that outputs logits."""
    return lambda pts: softmax(np.asarray(model.predict_on_batch(pts.astype(np.float32)), dtype=np.float64))


class Playground:
    """An instructor demo in the spirit of TensorFlow Playground: pick the data set, the network's
    width, depth and activation and the learning rate, press "Train", watch the decision boundary.

        demo = Playground(steps=run.pick(smoke=100, classroom=1500))
        display(demo.ui)          # in Jupyter
        fig = demo.retrain()      # what the button does; also callable from code
    """

    SETTINGS = ("dataset", "width", "depth", "act", "lr")

    def __init__(self, steps=1500, seed=0, n=300):
        self.steps, self.seed, self.n = steps, seed, n
        self.accuracy = None  # test accuracy of the last training run
        style = {"description_width": "90px"}
        self.dataset = widgets.Dropdown(options=list(DATASETS), value="spiral", description="data set", style=style)
        self.width = widgets.IntSlider(value=16, min=1, max=64, description="width", style=style)
        self.depth = widgets.IntSlider(value=2, min=1, max=4, description="hidden layers", style=style)
        self.act = widgets.Dropdown(options=TRAINABLE_ACTIVATIONS, value="tanh", description="activation", style=style)
        self.lr = widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.25, description="learning rate",
                                         readout_format=".4f", style=style)
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="420px"))
        self.button.on_click(lambda _: self.retrain())
        controls = widgets.VBox([self.dataset, self.width, self.depth, self.act, self.lr, self.button, self.status])
        self.ui = widgets.HBox([controls, self.image])

    def make_data(self, name):
        if name in LOGIC_TARGETS:
            return logic_gate(name)
        return DATASETS[name](n=self.n, seed=self.seed)

    def retrain(self, **settings):
        """Apply any settings (dataset=, width=, depth=, act=, lr=), retrain from scratch, redraw.

        Returns the Figure (also shown as the widget's picture) and stores test accuracy in .accuracy.
        """
        for key, value in settings.items():
            if key not in self.SETTINGS:
                raise ValueError(f"Unknown setting {key!r}; use {', '.join(self.SETTINGS)}.")
            getattr(self, key).value = value
        data = self.make_data(self.dataset.value)
        sizes = mlp_sizes(2, self.width.value, self.depth.value, data.n_classes)
        params = init_mlp(sizes, np.random.default_rng(self.seed))
        self.status.value = "training ..."
        try:
            losses = train(params, data.x_train, data.y_train, self.steps, lr=self.lr.value, act=self.act.value)
        except FloatingPointError as err:
            self.status.value = f"<b>diverged</b>: {html.escape(str(err))}"
            self.accuracy = None
            return None
        self.accuracy = accuracy(params, data.x_test, data.y_test, self.act.value)
        shape = "-".join(map(str, sizes))
        fig = plot_decision_boundary(lambda pts: predict_proba(params, pts, self.act.value), data,
                                     title=f"{data.name}, {shape} {self.act.value}, lr {self.lr.value:.3g}\n"
                                           f"{self.steps} steps: loss {losses[-1]:.3f}, test acc {self.accuracy:.2f}")
        plt.close(fig)
        self.status.value = f"test accuracy <b>{self.accuracy:.2f}</b> ({param_count(sizes)} parameters)"
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=90, bbox_inches="tight")
        self.image.value = png.getvalue()
        return fig

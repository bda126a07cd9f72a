"""Checked exercises of lesson 01 (neural networks and backprop).

    from creative_lib.exercises import ex01 as ex
    ex.q1.check(activation_derivatives)   # ex.q1.hint(), ex.q1.solution()
"""
import numpy as np

from creative_lib import nn, toydata
from creative_lib.exercises.core import Case, Question

_rng = np.random.default_rng(1)


# q1 ------------------------------------------------------------------------------------------
def _derivatives_reference(z):
    return nn.sigmoid_grad(z), nn.tanh_grad(z), nn.relu_grad(z)


def activation_derivatives(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s), 1 - np.tanh(z) ** 2, (z > 0).astype(float)


q1 = Question(
    "q1", "Derivatives of sigmoid, tanh and ReLU",
    cases=[
        Case(args=(np.array([0.0]),), label="z = [0]  (ReLU's slope at 0 is taken as 0)"),
        Case(args=(np.array([-2.0, -0.5, 0.5, 2.0]),), label="z = [-2, -0.5, 0.5, 2]"),
        Case(args=(np.array([[-30.0, 30.0], [1.0, -1.0]]),), label="a 2x2 array with large |z|"),
    ],
    reference=_derivatives_reference,
    hint="Return a tuple (dsigmoid, dtanh, drelu), each of z's shape. sigmoid' = s(1-s) with s = sigmoid(z); "
         "tanh' = 1 - tanh(z)^2; ReLU' is 1 where z > 0 and 0 elsewhere.",
    solution=activation_derivatives,
)


# q2 ------------------------------------------------------------------------------------------
def _dense_reference(x, W, b, dout):
    dx, dW, db = nn.dense_backward(dout, x, W)
    return nn.dense_forward(x, W, b), dx, dW, db


def dense_forward_backward(x, W, b, dout):
    z = x @ W + b
    return z, dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _dense_case(n, fan_in, fan_out, label):
    return Case(args=(_rng.normal(size=(n, fan_in)), _rng.normal(size=(fan_in, fan_out)),
                      _rng.normal(size=fan_out), _rng.normal(size=(n, fan_out))), label=label)


q2 = Question(
    "q2", "A dense layer, forward and backward",
    cases=[
        Case(args=(np.array([[1.0, 2.0]]), np.array([[1.0], [-1.0]]), np.array([0.5]), np.array([[1.0]])),
             label="one example, 2 inputs, 1 output (z = 1 - 2 + 0.5)"),
        _dense_case(4, 3, 2, "x (4, 3), W (3, 2)"),
        _dense_case(1, 5, 4, "x (1, 5), W (5, 4)"),
    ],
    reference=_dense_reference,
    hint="Forward: z = x @ W + b. Backward, given dout = dL/dz: dx = dout @ W.T, dW = x.T @ dout, "
         "db = dout summed over the batch axis (axis 0). Check the shapes: dW must have W's shape.",
    solution=dense_forward_backward,
)


# q3 ------------------------------------------------------------------------------------------
q3 = Question(
    "q3", "Softmax cross-entropy and its gradient",
    cases=[
        Case(args=(np.zeros((2, 3)), np.array([0, 2])), label="all logits 0, so the loss is ln 3"),
        Case(args=(np.array([[2.0, -1.0], [0.5, 0.5], [-3.0, 4.0]]), np.array([0, 1, 1])),
             label="3 examples, 2 classes"),
        Case(args=(np.array([[1000.0, 0.0, -1000.0]]), np.array([1])), label="huge logits (subtract the row max!)"),
    ],
    reference=nn.softmax_cross_entropy,
    hint="p = softmax(logits) row by row (subtract each row's max before np.exp). "
         "loss = mean over rows of -log p[row, y[row]]. dL/dlogits = (p - one_hot(y)) / N. "
         "For the huge-logits case compute log p as shifted - log(sum(exp(shifted))).",
    solution=nn.softmax_cross_entropy,
)


# q4 ------------------------------------------------------------------------------------------
def _cubes(x):
    return np.sum(x ** 3)


def _wave(x):
    return np.sin(x[0]) * np.cos(x[1]) + x[0] * x[1] ** 2


def _matrix_quadratic(x):
    return np.sum(x @ x.T)


q4 = Question(
    "q4", "A gradient checker by central differences",
    cases=[
        Case(args=(_cubes, np.array([1.0, -2.0, 0.5])), expected=3 * np.array([1.0, -2.0, 0.5]) ** 2,
             label="f(x) = sum(x^3) at [1, -2, 0.5]"),
        Case(args=(_wave, np.array([0.3, -1.2])),
             expected=np.array([np.cos(0.3) * np.cos(-1.2) + 1.44, -np.sin(0.3) * np.sin(-1.2) + 2 * 0.3 * -1.2]),
             label="f(x) = sin(x0) cos(x1) + x0 x1^2 at [0.3, -1.2]"),
        Case(args=(_matrix_quadratic, np.array([[1.0, 2.0], [0.0, -1.0]])),
             expected=2 * np.ones((2, 2)) @ np.array([[1.0, 2.0], [0.0, -1.0]]),
             label="a 2x2 matrix x, f(x) = sum(x @ x.T)"),
    ],
    hint="Loop over every index of x (np.ndindex(x.shape)); set x[idx] to old + eps, evaluate f, then "
         "old - eps, evaluate f, restore x[idx] = old; the slope is (f_plus - f_minus) / (2 * eps).",
    solution=nn.numerical_gradient,
)


# q5 ------------------------------------------------------------------------------------------
def _two_layer_reference(x, y, W1, b1, W2, b2):
    return nn.loss_and_grads([(W1, b1), (W2, b2)], x, y, "tanh")


softmax_xent = nn.softmax_cross_entropy  # q3's answer, by the name the exercises notebook gives it


def two_layer_backward(x, y, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = np.tanh(z1)
    z2 = h @ W2 + b2
    loss, dz2 = softmax_xent(z2, y)
    _, dh, dW2, db2 = dense_forward_backward(h, W2, b2, dz2)
    dz1 = dh * activation_derivatives(z1)[1]          # tanh'(z1)
    _, _, dW1, db1 = dense_forward_backward(x, W1, b1, dz1)
    return loss, [(dW1, db1), (dW2, db2)]


def _two_layer_case(n, d, hidden, k, label):
    return Case(args=(_rng.normal(size=(n, d)), _rng.integers(0, k, n), _rng.normal(size=(d, hidden)),
                      _rng.normal(size=hidden) * 0.1, _rng.normal(size=(hidden, k)), _rng.normal(size=k) * 0.1),
                label=label)


q5 = Question(
    "q5", "The backward pass of a two-layer tanh network",
    cases=[
        Case(args=(np.array([[1.0, -1.0]]), np.array([1]), np.zeros((2, 2)), np.zeros(2), np.zeros((2, 2)),
                   np.zeros(2)), label="all weights 0: loss ln 2, only db2 is nonzero"),
        _two_layer_case(5, 3, 4, 2, "x (5, 3), 4 hidden units, 2 classes"),
        _two_layer_case(8, 4, 8, 3, "x (8, 4), 8 hidden units, 3 classes (Iris-shaped)"),
    ],
    reference=_two_layer_reference,
    hint="Forward: z1 = x @ W1 + b1, h = tanh(z1), z2 = h @ W2 + b2; loss, dz2 = your q3 on (z2, y). Backward "
         "with your q2 on the second layer (input h, dout dz2) gives dh, dW2, db2; then dz1 = dh * tanh'(z1) "
         "(your q1); q2 on the first layer (input x, dout dz1) gives dW1, db1. Return (loss, [(dW1, db1), (dW2, db2)]).",
    solution=two_layer_backward,
)


# q6 ------------------------------------------------------------------------------------------
def _solves_xor(result, case):
    """None when `result` ((W1, b1), (W2, b2)) is a tanh MLP that classifies the 4 XOR points."""
    try:
        params = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in result]
        probs = nn.predict_proba(params, toydata.LOGIC_INPUTS, "tanh")
    except Exception as err:  # a malformed answer: say what was expected
        return f"expected a list [(W1, b1), (W2, b2)] of NumPy arrays ({type(err).__name__}: {err})"
    if probs.shape != (4, 2):
        return f"the network must output 2 logits per point; it outputs shape {probs.shape[1:]}"
    guesses = probs.argmax(axis=1)
    wrong = [tuple(int(v) for v in p) for p, g, t in zip(toydata.LOGIC_INPUTS, guesses, toydata.LOGIC_TARGETS["XOR"]) if g != t]
    if wrong:
        return f"the trained network misclassifies {wrong} (predicted {guesses.tolist()}, XOR is [0, 1, 1, 0])"
    return None


def train_xor(seed, steps=2000, lr=0.5):
    x, y = toydata.LOGIC_INPUTS, toydata.LOGIC_TARGETS["XOR"]
    params = nn.init_mlp([2, 4, 2], np.random.default_rng(seed))
    for _ in range(steps):
        loss, grads = two_layer_backward(x, y, *params[0], *params[1])
        for (W, b), (dW, db) in zip(params, grads):
            W -= lr * dW
            b -= lr * db
    return params


q6 = Question(
    "q6", "Train a 2-4-2 tanh network on XOR with your backward pass",
    cases=[Case(args=(seed,), label=f"seed {seed}") for seed in (0, 1, 2)],
    checker=_solves_xor,
    hint="params = nn.init_mlp([2, 4, 2], np.random.default_rng(seed)). Repeat a few hundred times: "
         "loss, grads = two_layer_backward(x, y, *params[0], *params[1]) (your q5); then for each (W, b) and "
         "(dW, db): W -= lr * dW; b -= lr * db (in place). Plain gradient descent needs lr around 0.5 and ~2000 steps.",
    solution=train_xor,
)

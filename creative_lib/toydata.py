"""Small data sets the lessons train on, all offline: truth tables, 2-D point clouds, Iris and
a 1-D curve; and the endless mini-batch iterator over any fixed arrays (imagesets' images too).

    moons = two_moons(n=500, noise=0.2)          # a Dataset: x_train (N, 2) float64, y_train (N,) int
    for x, y in minibatches(moons.x_train, moons.y_train, batch_size=32): ...
"""
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_iris, make_moons
from sklearn.model_selection import train_test_split

LOGIC_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
LOGIC_TARGETS = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}


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


def ua_target(x):
    """The continuous function lesson 01's nets approximate on [-1, 1]: a wave riding on a V."""
    return np.sin(3 * np.pi * x) * 0.6 + np.abs(x) - 0.5


def ua_data(n=200):
    """Evenly spaced x in [-1, 1] (N, 1) and the target y (N, 1)."""
    x = np.linspace(-1, 1, n)[:, None]
    return x, ua_target(x)


def minibatches(*arrays, batch_size, seed=0):
    """An endless iterator of shuffled mini-batches of arrays that share their first axis, a new order every epoch.

    minibatches(x, y, batch_size=32) yields (x[i], y[i]) pairs; minibatches(x, batch_size=32) yields
    x[i] alone. x (N, ...) -> (batch_size, ...); the last incomplete batch of an epoch is dropped.
    """
    rng = np.random.default_rng(seed)
    n = len(arrays[0])
    if n < batch_size:
        raise ValueError(f"A batch of {batch_size} needs at least {batch_size} examples; got {n}.")
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            batch = tuple(a[order[start:start + batch_size]] for a in arrays)
            yield batch if len(batch) > 1 else batch[0]

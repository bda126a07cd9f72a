"""Small data sets the lessons train on, all offline: truth tables, 2-D point clouds, Iris,
a 1-D curve, handwritten digits, and an endless mini-batch iterator over any of them.

    moons = two_moons(n=500, noise=0.2)          # a Dataset: x_train (N, 2) float64, y_train (N,) int
    for x, y in minibatches(moons.x_train, moons.y_train, 32): ...
"""
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits, load_iris, make_moons
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


def digits(source="sklearn", test_fraction=0.25, seed=0):
    """Handwritten digits as ((x_train, y_train), (x_test, y_test), description), x float32 (n, H, W, 1) in [0, 1].

    source='sklearn': scikit-learn's 1,797 8x8 digits (installed, offline). source='mnist': the
    70,000 28x28 MNIST digits through the asset manager; when they cannot be had, a banner says
    why and how to fix it, and scikit-learn's digits are used instead.
    """
    if source == "mnist":
        from creative_lib import assets

        try:
            (x_tr, y_tr), (x_te, y_te) = assets.load_mnist()
            return ((x_tr[..., None] / np.float32(255), y_tr.astype(np.int32)),
                    (x_te[..., None] / np.float32(255), y_te.astype(np.int32)), "MNIST, 28x28")
        except assets.AssetUnavailable as err:
            assets.offline_banner(f"MNIST is not available here: {err} Continuing with scikit-learn's 8x8 digits instead.")
    elif source != "sklearn":
        raise ValueError(f"DIGITS must be 'sklearn' or 'mnist'; got {source!r}.")
    raw = load_digits()
    x = (raw.images / 16.0).astype(np.float32)[..., None]
    x_tr, x_te, y_tr, y_te = train_test_split(x, raw.target.astype(np.int32), test_size=test_fraction,
                                              random_state=seed, stratify=raw.target)
    return (x_tr, y_tr), (x_te, y_te), "scikit-learn digits, 8x8"


def minibatches(x, y, batch_size, seed=0):
    """An endless iterator of shuffled (x[i], y[i]) mini-batches, a new order every epoch.

    x (N, ...), y (N,) -> batches of batch_size; the last incomplete batch of an epoch is dropped.
    """
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]

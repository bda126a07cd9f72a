"""Lesson 04's figures: a result large enough to see its strokes, zoomed crops with a difference map, and
loss curves beside the pictures they led to.

    fig = large_result(content, style, result, "Neural style transfer")
    fig = zoomed_crops([tv0, tv1, tv30], ["TV 0", "TV 1", "TV 30"], box=(32, 32, 48), factor=4, suptitle="...")
    fig = curves_beside_pictures({"L-BFGS": h1["total"], "Adam": h2["total"]}, [im1, im2], title="...")
    fig = gallery(photo, [painting, ...], [result, ...], "photo", ["painting", ...], "The paper's figure")

Images are (H, W, 3) or (1, H, W, 3), float in [0, 1].
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from creative_lib.plotting import as_displayable, curves, enlarge


def _picture(ax, image, title):
    ax.imshow(as_displayable(image))
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def large_result(content, style, result, title, result_title="result", inches=6.0, dpi=72):
    """The two inputs small on the left, the result on the right at `inches` wide (at least its own pixels)."""
    image = as_displayable(result)
    inches = max(inches, image.shape[1] / dpi)
    height = inches * image.shape[0] / image.shape[1]
    fig = plt.figure(figsize=(inches + height / 2 + 0.3, height + 0.6))
    grid = fig.add_gridspec(2, 2, width_ratios=[height / 2, inches])
    _picture(fig.add_subplot(grid[0, 0]), content, "content")
    _picture(fig.add_subplot(grid[1, 0]), style, "style")
    _picture(fig.add_subplot(grid[:, 1]), image, result_title)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def crop(image, box):
    """box = (top, left, side) -> the square (side, side, 3) at that place."""
    top, left, side = box
    return as_displayable(image)[top:top + side, left:left + side]


def zoomed_crops(images, titles, box, factor, suptitle, gain=4.0, size=2.6):
    """Top row: the images, the crop's place outlined; bottom row: the crops enlarged `factor` times, pixel for
    pixel, and the difference |first - second| over the crop (mean of the channels, times `gain`)."""
    n = len(images)
    fig, axes = plt.subplots(2, n + 1, figsize=(size * (n + 1), size * 2))
    top, left, side = box
    for k, (image, title) in enumerate(zip(images, titles)):
        _picture(axes[0, k], image, title)
        axes[0, k].add_patch(Rectangle((left - 0.5, top - 0.5), side, side, fill=False, edgecolor="yellow", linewidth=1.5))
        _picture(axes[1, k], enlarge(np.round(crop(image, box) * 255).astype(np.uint8), factor),
                 f"{title}: the crop, x{factor}")
    difference = np.abs(crop(images[0], box) - crop(images[1], box)).mean(axis=-1)
    axes[0, n].axis("off")
    axes[1, n].imshow(np.clip(enlarge(difference, factor) * gain, 0, 1), cmap="magma", vmin=0, vmax=1)
    axes[1, n].set_title(f"|{titles[0]} - {titles[1]}| x{gain:g}", fontsize=9)
    axes[1, n].axis("off")
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def curves_beside_pictures(histories, images, title, xlabel="loss-and-gradient evaluations", ylabel="total loss",
                           size=3.4):
    """Loss curves ({name: values}, log scale) on the left, the final picture of each run on the right."""
    fig = plt.figure(figsize=(size * 1.8 + size * len(images), size + 0.4))
    grid = fig.add_gridspec(1, 1 + len(images), width_ratios=[1.8] + [1] * len(images))
    ax = fig.add_subplot(grid[0, 0])
    curves(histories, ax=ax, logy=True, xlabel=xlabel, title=title)
    ax.set_ylabel(ylabel)
    for k, (name, image) in enumerate(zip(histories, images)):
        _picture(fig.add_subplot(grid[0, k + 1]), image, f"{name}, {ylabel} {histories[name][-1]:.3g}")
    fig.tight_layout()
    return fig


def gallery(photo, paintings, results, photo_title, titles, suptitle, result_title="the photo in its style", size=2.8):
    """The paper's figure: the photo on the left, each painting (top row) above the photo painted in its style."""
    n = len(paintings)
    fig = plt.figure(figsize=(size * (n + 1), size * 2 * 0.8 + 0.5))
    grid = fig.add_gridspec(2, n + 1)
    _picture(fig.add_subplot(grid[:, 0]), photo, photo_title)
    for k, (painting, result, title) in enumerate(zip(paintings, results, titles)):
        _picture(fig.add_subplot(grid[0, k + 1]), painting, title)
        _picture(fig.add_subplot(grid[1, k + 1]), result, result_title)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig

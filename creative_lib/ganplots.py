"""Figures and animations for lesson 05: the 1-D game, training dynamics, class counts, GIFs.

    frame = mosaic(images, ncols=8)        # (N, 28, 28, 1) in [-1, 1] -> one uint8 picture, black ink on white
    gif_of_folder(frames_dir, path)        # the folder's PNG frames as one looping GIF (images.save_gif)
"""
import matplotlib.pyplot as plt
import numpy as np

from creative_lib import plotting
from creative_lib.images import save_gif


def mosaic(images, ncols=8, gap=2):
    """Digits (N, h, w, 1) in [-1, 1] -> plotting.mosaic's (H, W) uint8 sheet, white gaps, the white ink drawn black."""
    ink = np.clip((1.0 - np.asarray(images)) * 127.5, 0, 255).astype(np.uint8)
    return plotting.mosaic(ink, ncols, gap)


def show_images(images, titles=None, ncols=8, suptitle=None, size=1.1):
    """Digits (N, h, w, 1) in [-1, 1], black on white: one picture, or a grid with a title each; returns the Figure."""
    images = np.asarray(images)
    if titles:
        return plotting.image_grid((images + 1.0) / 2.0, titles, ncols=ncols, cmap="gray_r", suptitle=suptitle,
                                   size=size * 1.2)
    rows = -(-len(images) // ncols)
    fig, ax = plt.subplots(figsize=(ncols * size * 0.8, rows * size * 0.8))
    ax.imshow(mosaic(images, ncols), cmap="gray", vmin=0, vmax=255)  # one picture: a small file, however many digits
    ax.axis("off")
    ax.set_title(suptitle)
    return fig


def toy_panel(ax, grid, real_density, fake, d_of_grid, title):
    """One frame of the 1-D game: the real density, a histogram of G's samples and D(x) on one axis."""
    ax.plot(grid, real_density, color="tab:blue", label="real density")
    ax.hist(fake, bins=80, range=(grid[0], grid[-1]), density=True, color="tab:orange", alpha=0.6, label="G's samples")
    ax.plot(grid, d_of_grid, color="tab:green", label="D(x)")
    ax.set(title=title, xlabel="x", ylabel="density / D(x)", xlim=(grid[0], grid[-1]))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def dynamics(losses, steps_per_epoch, title):
    """Two panels against epochs: both losses, and mean D(x) and D(G(z)), each a moving average over one epoch."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4))
    epochs = np.arange(1, len(losses["d_loss"]) + 1) / steps_per_epoch
    for ax, names, label in ((left, ("d_loss", "g_loss"), "loss"), (right, ("D(x)", "D(G(z))"), "mean output of D")):
        for name in names:
            ax.plot(epochs, plotting.moving_average(losses[name], steps_per_epoch), label=name)
        ax.set(xlabel="epoch", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend()
    left.set_title("losses (moving average over an epoch)")
    right.set_title("D's verdicts: 1 = real, 0 = fake")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def class_bars(ax, counts, classes, title):
    """A bar per class: how many samples the classifier put there."""
    ax.bar(range(len(classes)), counts, color="tab:blue")
    ax.set_xticks(range(len(classes)), classes)
    ax.set(title=title, xlabel="class the classifier sees", ylabel="samples")
    ax.grid(alpha=0.3, axis="y")


def gif_of_folder(folder, path, max_frames=25, factor=2):
    """The folder's PNGs, in name order, as a GIF of at most max_frames evenly spaced, enlarged: (path, shown, found)."""
    frames, found = plotting.frames_of_folder(folder, max_frames, factor)
    return save_gif(frames, path), len(frames), found

"""Figures and animations for lesson 05: the 1-D game, training dynamics, class shares, the ring, GIFs.

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


def dynamics(losses, steps_per_epoch, title, frechet=None, floor=None):
    """Panels against epochs: both losses, and mean D(x) and D(G(z)), each a moving average over one epoch;
    with frechet ({epoch: Fréchet distance}) a third panel of it, log scale, over the real floor."""
    fig, axes = plt.subplots(1, 3 if frechet is not None else 2, figsize=(16 if frechet is not None else 11, 3.4))
    left, right = axes[:2]
    epochs = np.arange(1, len(losses["d_loss"]) + 1) / steps_per_epoch
    for ax, names, label in ((left, ("d_loss", "g_loss"), "loss"), (right, ("D(x)", "D(G(z))"), "mean output of D")):
        for name in names:
            ax.plot(epochs, plotting.moving_average(losses[name], steps_per_epoch), label=name)
        ax.set(xlabel="epoch", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend()
    left.set_title("losses (moving average over an epoch)")
    right.set_title("D's verdicts: 1 = real, 0 = fake")
    if frechet is not None:
        ax = axes[2]
        points = sorted(frechet.items())
        if points:
            ax.semilogy(*zip(*points), marker="o", markersize=3, label="G's samples")
        if floor is not None:
            ax.axhline(floor, color="tab:green", linestyle="--", label="floor: held-out real digits")
        ax.set(title="Fréchet distance to the training digits", xlabel="epoch", ylabel="Fréchet distance (log scale)",
               xlim=(0, max(epochs[-1] if len(epochs) else 1, 1)))
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def class_shares(ax, counts, real_counts, classes, title):
    """Two bars per class, in percent: G's samples and real digits, as the classifier sorts them."""
    k = np.arange(len(classes))
    for offset, values, label in ((-0.2, counts, "G's samples"), (0.2, real_counts, "held-out real digits")):
        ax.bar(k + offset, 100.0 * np.asarray(values) / np.sum(values), width=0.4, label=label)
    ax.axhline(100.0 / len(classes), color="grey", linestyle=":", label="an even share")
    ax.set_xticks(k, classes)
    ax.set(title=title, xlabel="class the classifier sees", ylabel="share of the images (%)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)


def ring_panel(ax, centres, points, title, sd):
    """G's 2-D samples (N, 2) as dots over the modes of the ring (M, 2), each drawn as a circle of 3 sd."""
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="tab:orange", label="G's samples")
    for x, y in centres:
        ax.add_patch(plt.Circle((x, y), 3 * sd, fill=False, color="tab:blue"))
    reach = 1.6 * np.abs(centres).max()
    ax.set(title=title, xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal", xlabel="x₁", ylabel="x₂")
    ax.grid(alpha=0.3)


def ring_runs(centres, runs, score, sd, suptitle):
    """One row of ring_panel per run {name: {step: points (N, 2)}}, one column per step; score(points) -> (modes, share)."""
    steps = sorted(next(iter(runs.values())))
    fig, axes = plt.subplots(len(runs), len(steps), figsize=(2.8 * len(steps), 3.0 * len(runs)), squeeze=False)
    for row, (name, shots) in zip(axes, runs.items()):
        for ax, step in zip(row, steps):
            modes, good = score(shots[step])
            ring_panel(ax, centres, shots[step], f"step {step}\n{modes}/{len(centres)} modes, {good:.0%} good", sd)
            ax.set(xlabel="", ylabel="")
        row[0].set_ylabel(name, fontsize=9)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def path_norms(ax, ts, norms, typical, title):
    """|z| along each path {name: (T,)} against t (T,), over the band where most |z| of the prior lie.

    typical: (low, middle, high), e.g. the 1st, 50th and 99th percentiles of |z|."""
    low, middle, high = typical
    ax.axhspan(low, high, color="tab:green", alpha=0.15, label="98% of |z| drawn from the prior")
    ax.axhline(middle, color="tab:green", linestyle="--", label=f"typical |z| ≈ {middle:.1f}")
    for name, values in norms.items():
        ax.plot(ts, values, label=name)
    ax.set(title=title, xlabel="t (from z_a to z_b)", ylabel="|z|")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the curves, not over them


def gif_of_folder(folder, path, max_frames=25, factor=2):
    """The folder's PNGs, in name order, as a GIF of at most max_frames evenly spaced, enlarged: (path, shown, found)."""
    frames, found = plotting.frames_of_folder(folder, max_frames, factor)
    return save_gif(frames, path), len(frames), found

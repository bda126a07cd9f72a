"""Figures for lesson 03: images side by side with a zoomed crop, crops compared with their difference,
visualisations beside their dataset examples, the FGSM curve and examples."""
import matplotlib.pyplot as plt
import numpy as np

from creative_lib.plotting import as_displayable


def side_by_side(images, titles, suptitle, crop=None, size=4.0, borders=None):
    """Images (H, W, 3) in a row; with crop=(y0, y1, x0, x1) in fractions of the image, a second row zooms in.

    borders: (row positions, column positions) in pixels, drawn as dashed lines on every panel (tile borders).
    """
    rows = 2 if crop else 1
    h, w = np.shape(images[0])[:2]
    fig, axes = plt.subplots(rows, len(images), figsize=(size * len(images), size * rows * h / w + 0.6), squeeze=False)
    for j, (image, title) in enumerate(zip(images, titles)):
        image = as_displayable(image)
        axes[0, j].imshow(image)
        axes[0, j].set_title(title, fontsize=10)
        _draw_borders(axes[0, j], borders)
        if crop:
            ih, iw = image.shape[:2]
            y0, y1, x0, x1 = int(crop[0] * ih), int(crop[1] * ih), int(crop[2] * iw), int(crop[3] * iw)
            axes[0, j].add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color="yellow", lw=1.5))
            axes[1, j].imshow(image[y0:y1, x0:x1], interpolation="nearest", extent=(x0 - 0.5, x1 - 0.5, y1 - 0.5, y0 - 0.5))
            _draw_borders(axes[1, j], borders)
            axes[1, j].set(xlim=(x0 - 0.5, x1 - 0.5), ylim=(y1 - 0.5, y0 - 0.5))
            axes[1, j].set_title(f"zoom: {x1 - x0}x{y1 - y0} pixels" + (", tile borders dashed" if borders else ""),
                                 fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _draw_borders(ax, borders):
    if borders:
        for y in borders[0]:
            ax.axhline(y - 0.5, color="cyan", ls="--", lw=1)
        for x in borders[1]:
            ax.axvline(x - 0.5, color="cyan", ls="--", lw=1)


def crops_with_difference(rows, crop, suptitle, gain=4.0, size=3.0):
    """Per row, full-resolution crops of two images and |first - second| (mean over RGB, times `gain`).

    rows: {row name: (photo, first, second)}, images (H, W, 3) in [0, 1]; the column titles name them as
    "photo", "with re-injection", "without". crop: (y0, y1, x0, x1) in pixels.
    """
    y0, y1, x0, x1 = crop
    fig, axes = plt.subplots(len(rows), 4, figsize=(4 * size, len(rows) * size * (y1 - y0) / (x1 - x0) + 0.7),
                             squeeze=False)
    for ax_row, (name, (photo, first, second)) in zip(axes, rows.items()):
        difference = np.abs(np.asarray(first, np.float32) - second).mean(-1)[y0:y1, x0:x1]
        panels = [photo[y0:y1, x0:x1], first[y0:y1, x0:x1], second[y0:y1, x0:x1], np.clip(gain * difference, 0, 1)]
        titles = ["photo", f"{name}: with re-injection", f"{name}: without",
                  f"|with - without| x{gain:g} (mean {difference.mean():.3f})"]
        for ax, panel, title in zip(ax_row, panels, titles):
            ax.imshow(as_displayable(panel), cmap="gray" if np.ndim(panel) == 2 else None, vmin=0, vmax=1,
                      interpolation="nearest")
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    fig.suptitle(f"{suptitle} ({x1 - x0}x{y1 - y0} pixels at full resolution)")
    fig.tight_layout()
    return fig


def visualisations_with_examples(rows, size=2.2):
    """One row per filter: its visualisations, then the photo crops that excite it most.

    rows: {filter name: (visualisations [(title, (S, S, 3))], examples [(title, (s, s, 3))])}; every row
    has the same number of each.
    """
    n_vis, n_ex = (len(part) for part in next(iter(rows.values())))
    fig, axes = plt.subplots(len(rows), n_vis + n_ex, figsize=(size * (n_vis + n_ex), 1.15 * size * len(rows) + 0.6),
                             squeeze=False)
    for ax_row, (name, (visuals, examples)) in zip(axes, rows.items()):
        for k, (ax, (title, image)) in enumerate(zip(ax_row, [*visuals, *examples])):
            ax.imshow(as_displayable(image), interpolation="nearest" if k >= n_vis else None)
            ax.set_title(f"{name}\n{title}" if k == 0 else title, fontsize=8, color="k" if k < n_vis else "C0")
            ax.axis("off")
    fig.suptitle("What one filter wants to see: three visualisations (black titles) and the crops of real "
                 "photos that excite it most (blue)", fontsize=10)
    fig.tight_layout()
    return fig


def attack_curve(epsilons, accuracies, chance, stated_eps, flip_eps, name="Shapes CNN"):
    """Accuracy against epsilon (left) and the histogram of each image's smallest flipping epsilon (right).

    epsilons, accuracies: lists of the same length; flip_eps: (B,), inf where no epsilon flipped the image.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    left.plot(epsilons, accuracies, "o-", lw=1.5)
    left.axhline(chance, color="gray", ls=":", label="chance")
    left.axvline(stated_eps, color="C3", ls="--", label=f"ε = {stated_eps:g}")
    left.set(xlabel="ε (largest change of any pixel, in [0, 1] units)", ylabel="accuracy",
             title=f"{name} under the fast gradient sign attack", ylim=(0, 1.02))
    left.legend()
    left.grid(alpha=0.3)
    finite = flip_eps[np.isfinite(flip_eps)]
    right.hist(finite, bins=30, color="C1")
    right.set(xlabel="smallest ε that flips the prediction", ylabel="images",
              title=f"{len(finite)} of {len(flip_eps)} images flipped (median ε {np.median(finite):.3f})"
              if len(finite) else "no image flipped")
    right.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def attack_examples(images, adversarial, names_before, names_after, epsilon, flipped=None, gain=10, title=None):
    """Per row: the image, the perturbation (times `gain`, around grey, with the share of values left unmoved)
    and the adversarial image.

    images, adversarial: (B, H, W, 3) in [0, 1]; names_*: B strings; flipped: B booleans (red titles).
    """
    flipped = [a != b for a, b in zip(names_before, names_after)] if flipped is None else flipped
    fig, axes = plt.subplots(len(images), 3, figsize=(7.2, 2.3 * len(images) + 0.4), squeeze=False)
    for row, x, x_adv, before, after, bad in zip(axes, images, adversarial, names_before, names_after, flipped):
        row[0].imshow(as_displayable(x), interpolation="nearest")
        row[0].set_title(f"original: {before}", fontsize=9)
        row[1].imshow(np.clip(0.5 + gain * (x_adv - x), 0, 1), interpolation="nearest")
        row[1].set_title(f"perturbation x{gain}: {np.mean(x_adv == x):.0%} unmoved (grey)", fontsize=9)
        row[2].imshow(as_displayable(x_adv), interpolation="nearest")
        row[2].set_title(f"ε = {epsilon:.3g}: {after}", fontsize=9, color="C3" if bad else "k")
        for ax in row:
            ax.axis("off")
    fig.suptitle(title or f"The fast gradient sign method at ε = {epsilon:.3g}", fontsize=10)
    fig.tight_layout()
    return fig

"""Figures for lesson 03: images side by side with a zoomed crop, the FGSM curve and examples."""
import matplotlib.pyplot as plt
import numpy as np

from creative_lib.plotting import as_displayable


def side_by_side(images, titles, suptitle, crop=None, size=4.0):
    """Images (H, W, 3) in a row; with crop=(y0, y1, x0, x1) in fractions of the image, a second row zooms in."""
    rows = 2 if crop else 1
    h, w = np.shape(images[0])[:2]
    fig, axes = plt.subplots(rows, len(images), figsize=(size * len(images), size * rows * h / w + 0.6), squeeze=False)
    for j, (image, title) in enumerate(zip(images, titles)):
        image = as_displayable(image)
        axes[0, j].imshow(image)
        axes[0, j].set_title(title, fontsize=10)
        if crop:
            ih, iw = image.shape[:2]
            y0, y1, x0, x1 = int(crop[0] * ih), int(crop[1] * ih), int(crop[2] * iw), int(crop[3] * iw)
            axes[0, j].add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color="yellow", lw=1.5))
            axes[1, j].imshow(image[y0:y1, x0:x1], interpolation="nearest")
            axes[1, j].set_title(f"zoom: {x1 - x0}x{y1 - y0} pixels", fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(suptitle)
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
    """Per row: the image, the perturbation (times `gain`, around grey) and the adversarial image.

    images, adversarial: (B, H, W, 3) in [0, 1]; names_*: B strings; flipped: B booleans (red titles).
    """
    flipped = [a != b for a, b in zip(names_before, names_after)] if flipped is None else flipped
    fig, axes = plt.subplots(len(images), 3, figsize=(6.6, 2.3 * len(images) + 0.4), squeeze=False)
    for row, x, x_adv, before, after, bad in zip(axes, images, adversarial, names_before, names_after, flipped):
        row[0].imshow(as_displayable(x), interpolation="nearest")
        row[0].set_title(f"original: {before}", fontsize=9)
        row[1].imshow(np.clip(0.5 + gain * (x_adv - x), 0, 1), interpolation="nearest")
        row[1].set_title(f"perturbation x{gain}", fontsize=9)
        row[2].imshow(as_displayable(x_adv), interpolation="nearest")
        row[2].set_title(f"ε = {epsilon:.3g}: {after}", fontsize=9, color="C3" if bad else "k")
        for ax in row:
            ax.axis("off")
    fig.suptitle(title or f"The fast gradient sign method at ε = {epsilon:.3g}", fontsize=10)
    fig.tight_layout()
    return fig

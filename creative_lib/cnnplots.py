"""Lesson 02's figures: a kernel's response, a gallery of kernels, feature maps layer by layer."""
import matplotlib.pyplot as plt
import numpy as np

from creative_lib.plotting import as_displayable


def show_response(ax, response, kernel, title=None):
    """Draw a kernel's response: signed (blue/red) for kernels that sum to 0, gray otherwise."""
    if abs(float(np.sum(kernel))) < 1e-6:  # an edge detector: the sign says which way the edge goes
        limit = float(np.percentile(np.abs(response), 98)) or 1.0
        ax.imshow(response, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(np.clip(response, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title or "", fontsize=9)
    ax.axis("off")


def kernel_gallery(gray, kernels, filter_fn, ncols=4):
    """Each kernel {name: (k, k)} applied to one grayscale photo (H, W), side by side; returns the Figure.

    filter_fn(gray, kernel) -> (H, W): the notebook's own filter2d, so that an edit to it shows here.
    """
    nrows = -(-len(kernels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 3.1 * nrows), squeeze=False)
    for ax, (name, kernel) in zip(axes.flat, kernels.items()):
        show_response(ax, filter_fn(gray, kernel), kernel, name)
    for ax in axes.flat[len(kernels):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def strongest_channels(fmap, n):
    """Indices of the n channels of an (H, W, C) feature map with the largest mean activation, strongest first."""
    return np.argsort(fmap.reshape(-1, fmap.shape[-1]).mean(axis=0))[::-1][:n]


def plot_feature_maps(maps, image=None, channels=8, size=1.4):
    """One row per layer: its first `channels` maps (the strongest first); returns the Figure."""
    rows = len(maps) + (image is not None)
    fig, axes = plt.subplots(rows, channels, figsize=(size * channels, size * rows * 1.1), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if image is not None:
        axes[0, 0].imshow(as_displayable(image))
        axes[0, 0].set_title("input", fontsize=8)
    for r, (name, fmap) in enumerate(maps.items(), start=int(image is not None)):
        order = strongest_channels(fmap, channels)
        for ax, c in zip(axes[r], order):
            ax.imshow(fmap[..., c], cmap="viridis")
            ax.set_title(f"{name} #{c}", fontsize=7)
        axes[r, 0].text(-0.15, 0.5, f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}x{fmap.shape[2]}", fontsize=8,
                        transform=axes[r, 0].transAxes, ha="right", va="center")
    fig.tight_layout()
    return fig


def plot_pooling_robustness(rows, noise, shift):
    """Relative change of a feature map under noise and under a shift, against the pool size (rows of pooling_robustness)."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for ax, what in zip(axes, ("noise", "shift")):
        for mode in ("max", "avg"):
            ax.plot([r["pool"] for r in rows], [r[f"{what}_{mode}"] for r in rows], "o-", label=f"{mode} pooling")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("pool size (1 = none)")
        ax.set_title(f"Gaussian noise, std {noise}" if what == "noise" else f"image moved by {shift} pixel(s)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("relative error of the map")
    axes[0].legend()
    fig.suptitle("Claim 3: average pooling cancels noise; max pooling shrugs off small shifts")
    fig.tight_layout()
    return fig


def plot_invariance(results, chance):
    """Accuracy on centred and on shifted shapes, per network: results {label: (parameters, centred, shifted)}."""
    labels = list(results)
    xs = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(xs - 0.2, [results[k][1] for k in labels], 0.4, label="centred test shapes (like training)")
    ax.bar(xs + 0.2, [results[k][2] for k in labels], 0.4, label="shifted test shapes")
    ax.axhline(chance, color="gray", ls="--", lw=1, label=f"chance (1/{round(1 / chance)})")
    ax.set_xticks(xs, labels)
    ax.set(ylabel="accuracy", ylim=(0, 1.25), yticks=np.linspace(0, 1, 6), title="Trained on centred shapes only")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    return fig


def plot_head(summary_vector, probs, classes):
    """What a global-pool head receives (one number per channel) and what it answers (class probabilities)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), gridspec_kw={"width_ratios": [2.5, 1]})
    axes[0].bar(np.arange(summary_vector.size), summary_vector)
    axes[0].set(xlabel="channel of the last conv layer", ylabel="strongest response",
                title="global max pool: what the head receives")
    axes[1].barh(classes, probs)
    axes[1].set(xlim=(0, 1), xlabel="probability", title="head output: probabilities")
    fig.tight_layout()
    return fig

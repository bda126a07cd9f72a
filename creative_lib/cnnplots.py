"""Lesson 02's figures: a kernel's response, a gallery of kernels, feature maps layer by layer, training curves."""
import matplotlib.pyplot as plt
import numpy as np

from creative_lib.plotting import as_displayable, image_grid, moving_average


def show_response(ax, response, kernel, title=None):
    """Draw a kernel's response: signed (blue/red) for kernels that sum to 0, gray otherwise."""
    if abs(float(np.sum(kernel))) < 1e-6:  # an edge detector: the sign says which way the edge goes
        limit = float(np.percentile(np.abs(response), 98)) or 1.0
        ax.imshow(response, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(np.clip(response, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title or "", fontsize=9)
    ax.axis("off")


def kernel_gallery(gray, kernels, filter_fn, ncols=4, suptitle=None):
    """Each kernel {name: (k, k)} applied to one grayscale photo (H, W), side by side; returns the Figure.

    filter_fn(gray, kernel) -> (H, W): the notebook's own filter2d, so that an edit to it shows here.
    """
    nrows = -(-len(kernels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.7 * nrows + 0.4), squeeze=False,
                             layout="constrained")  # constrained layout keeps the suptitle clear of panel titles
    for ax, (name, kernel) in zip(axes.flat, kernels.items()):
        show_response(ax, filter_fn(gray, kernel), kernel, name)
    for ax in axes.flat[len(kernels):]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def strongest_channels(fmap, n):
    """Indices of the n channels of an (H, W, C) feature map with the largest mean activation, strongest first."""
    return np.argsort(fmap.reshape(-1, fmap.shape[-1]).mean(axis=0))[::-1][:n]


def plot_feature_maps(maps, image=None, channels=8, size=1.4):
    """One row per layer: its first `channels` maps (the strongest first); returns the Figure."""
    rows = len(maps) + (image is not None)
    fig, axes = plt.subplots(rows, channels, figsize=(size * channels, size * rows * 1.15), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if image is not None:
        axes[0, 0].imshow(as_displayable(image))
        axes[0, 0].set_title("input", fontsize=10)
    for r, (name, fmap) in enumerate(maps.items(), start=int(image is not None)):
        order = strongest_channels(fmap, channels)
        for ax, c in zip(axes[r], order):
            ax.imshow(fmap[..., c], cmap="viridis")
            ax.set_title(f"#{c}", fontsize=10)  # the row's label names the layer
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
        moved = f"image moved by {shift} pixel{'' if shift == 1 else 's'}"
        ax.set_title(f"Gaussian noise, std {noise}" if what == "noise" else moved)
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


def training_plot(title, smooth=20):
    """A `plot=` for creative_lib.training.fit: cross-entropy and accuracy per step, each on its own axis.

    Returns draw(losses) -> Figure; losses holds "loss" (cross-entropy, nats) and "accuracy" per step.
    The thin line is each batch, the thick one its moving average over `smooth` steps.
    """
    def draw(losses):
        fig, axes = plt.subplots(1, 2, figsize=(9, 2.8), layout="constrained")
        for ax, key, label in ((axes[0], "loss", "cross-entropy (nats)"), (axes[1], "accuracy", "accuracy")):
            values = losses.get(key, [])
            steps = np.arange(1, len(values) + 1)
            ax.plot(steps, values, lw=0.6, alpha=0.4, color="C0", label="each batch")
            ax.plot(steps, moving_average(values, smooth), lw=1.6, color="C0", label=f"mean of {smooth} steps")
            ax.set(xlabel="step", ylabel=label)
            ax.grid(alpha=0.3)
        axes[1].set_ylim(0, 1.02)
        axes[0].legend(fontsize=8)
        fig.suptitle(f"{title}: training batches")
        return fig
    return draw


def plot_overfitting(runs, chance):
    """Train and test curves of several networks over several seeds: runs {label: [history dict per seed]}.

    Each history (Keras's History.history) holds per epoch loss and accuracy (means over the epoch's
    training batches) and val_loss, val_accuracy (the held-out set at the epoch's end).
    Solid: test; dashed: training; one thin line per seed.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    for colour, (label, histories) in enumerate(runs.items()):
        for k, h in enumerate(histories):
            epochs = np.arange(1, len(h["loss"]) + 1)
            for ax, key in zip(axes, ("loss", "accuracy")):
                ax.plot(epochs, h[key], ls="--", lw=1, color=f"C{colour}")
                ax.plot(epochs, h[f"val_{key}"], "o-", ms=2.5, lw=1.6, color=f"C{colour}",
                        label=label if k == 0 else None)
    axes[1].axhline(chance, color="gray", lw=1, ls=":", label=f"chance (1/{round(1 / chance)})")
    axes[0].set(xlabel="epoch", ylabel="cross-entropy (nats)", title="loss: test (solid), training (dashed)")
    axes[1].set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="accuracy: test (solid), training (dashed)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8, loc="upper left")
    n_seeds = max(len(h) for h in runs.values())
    fig.suptitle(f"The same CNN with and without pooling, {n_seeds} seed{'s' if n_seeds > 1 else ''} each "
                 "(one line per seed)")
    return fig


def plot_predictions(images, probs, labels, classes, n=16, failures=4, ncols=8, size=1.6, what="images"):
    """The first test images, with up to `failures` of the misclassified ones in place of the last ones.

    images (N, H, W[, C]), probs (N, n_classes), labels (N,). A wrong answer's title names the true class.
    """
    wrong = np.flatnonzero(probs.argmax(axis=1) != labels)
    shown_wrong = list(wrong[:failures])
    right = np.setdiff1d(np.arange(len(labels)), wrong)[:n - len(shown_wrong)].tolist()
    order = right + shown_wrong
    titles = [f"{classes[probs[i].argmax()]} {probs[i].max():.0%}"
              + ("" if probs[i].argmax() == labels[i] else f"\nWRONG (is {classes[labels[i]]})") for i in order]
    shown = {0: "", 1: "; the last one shown is wrong"}.get(len(shown_wrong),
                                                            f"; the last {len(shown_wrong)} shown are wrong")
    suptitle = f"Predictions on {len(labels):,d} test {what}: {len(wrong)} wrong{shown}"
    return image_grid([images[i] for i in order], titles, ncols=ncols, size=size, suptitle=suptitle)


def plot_edge_kernels(filters, greys, scores, baseline, dead=()):
    """First-layer kernels: each RGB kernel (top) and its sum over colours (bottom), titled by edge similarity.

    filters (C_out, k, k, 3) in [0, 1]; greys (C_out, k, k) signed; scores (C_out,); baseline: the
    median score of untrained kernels; dead: the channels marked as never firing.
    """
    n = len(filters)
    fig, axes = plt.subplots(2, n, figsize=(0.85 * n, 2.6), layout="constrained")
    for i in range(n):
        axes[0, i].imshow(filters[i])
        limit = np.abs(greys[i]).max() or 1.0
        axes[1, i].imshow(greys[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[1, i].set_title(f"{scores[i]:.2f}", fontsize=10, color="black")
        axes[0, i].set_title(f"#{i}" + (" dead" if i in dead else ""), fontsize=10,
                             color="gray" if i in dead else "black")
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    axes[0, 0].set_ylabel("RGB", fontsize=10)
    axes[1, 0].set_ylabel("grey", fontsize=10)
    fig.suptitle(f"conv1's {n} learned kernels; below, the similarity of each grey kernel to its closest "
                 f"edge detector (untrained kernels: median {baseline:.2f})", fontsize=10)
    return fig


def overfitting_summary(runs):
    """Per network of plot_overfitting's runs: the last epoch's training and test accuracy (means over the
    seeds, and the seeds' lowest and highest test accuracy), the last test loss, and each seed's epoch of
    lowest test loss."""
    out = {}
    for label, histories in runs.items():
        test = [h["val_accuracy"][-1] for h in histories]
        out[label] = {"train_accuracy": float(np.mean([h["accuracy"][-1] for h in histories])),
                      "test_accuracy": float(np.mean(test)), "test_low": float(min(test)),
                      "test_high": float(max(test)),
                      "test_loss": float(np.mean([h["val_loss"][-1] for h in histories])),
                      "best_epochs": [int(np.argmin(h["val_loss"])) + 1 for h in histories]}
    return out

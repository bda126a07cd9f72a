"""Lesson 07's figures: n-gram orders, bits per character as a model trains, who predicts the text
best, and one hidden unit's activation over the characters it reads."""
import math

import matplotlib.pyplot as plt
import numpy as np

from creative_lib.plotting import moving_average


def plot_ngram_orders(scores, best_order, vocab_size):
    """Development-set bits per character of each n-gram order ({order: bits}), the best one starred."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(list(scores), list(scores.values()), "o-")
    ax.axhline(math.log2(vocab_size), color="grey", ls=":", label=f"uniform guess (log2 {vocab_size})")
    ax.plot(best_order, scores[best_order], "r*", ms=14, label=f"best: order {best_order}")
    ax.set(xlabel="n-gram order (history = order - 1 characters)", ylabel="dev-set bits per char",
           title="Kneser-Ney n-grams: longer histories help, then data runs out")
    ax.legend()
    return fig


def plot_bits_curves(train, probe, baseline, title, smooth=1, train_label=None):
    """Bits per character as a model trains, against a baseline's line.

    train: (steps, bits) of the training batches (a moving average over `smooth` points is drawn
    over them); probe: (steps, bits) on held-out text; baseline: (label, bits) on the same text.
    """
    train_label = train_label or ("training batches" + (f" (mean of {smooth} steps)" if smooth > 1 else ""))
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    (steps, bits), (probe_steps, probe_bits) = train, probe
    if smooth > 1:
        ax.plot(steps, bits, lw=0.5, alpha=0.3, color="C0")
    ax.plot(steps, moving_average(bits, smooth), lw=1.5, color="C0", label=train_label)
    ax.plot(probe_steps, probe_bits, "o-", ms=3.5, color="C3", label="validation sample")
    label, value = baseline
    ax.axhline(value, color="k", ls="--", lw=1, label=f"{label}: {value:.3f}")
    if len(probe_bits):
        ax.annotate(f"{probe_bits[-1]:.3f}", (probe_steps[-1], probe_bits[-1]), xytext=(4, -12),
                    textcoords="offset points", color="C3", fontsize=9)
    finite = [b for b in list(bits) + list(probe_bits) if math.isfinite(b)]
    ax.set_ylim(min(finite + [value]) - 0.15, max(value + 1.2, 3.5))
    ax.set(xlabel="training step", ylabel="bits per character (lower is better)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_scores(scores, title):
    """{model name: validation bits per character} as dots on an axis zoomed to them, each labelled.

    The axis does not start at 0 (the note under it says so): the differences are what matter.
    """
    names, values = list(scores), np.array(list(scores.values()))
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(names) + 1.3), layout="constrained")
    y = np.arange(len(names))
    ax.hlines(y, values.min() - 0.25, values, color="#ccc", lw=2)
    ax.plot(values, y, "o", ms=9, color="C0")
    for yi, v in zip(y, values):
        ax.annotate(f"{v:.3f}", (v, yi), xytext=(8, -4), textcoords="offset points")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(values.min() - 0.25, values.max() + 0.25)
    ax.set(xlabel=f"validation bits per character, lower is better (axis from {values.min() - 0.25:.2f}, not 0)",
           title=title)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_text_activation(text, values, title, width=80):
    """Each character of text on a grid `width` wide, its background coloured by values (T,) (blue < 0 < red)."""
    rows = []
    for line in text.split("\n"):
        rows += [line[i: i + width] for i in range(0, max(len(line), 1), width)]
    fig, ax = plt.subplots(figsize=(width * 0.1, 0.19 * len(rows) + 0.6), layout="constrained")
    scale = max(np.abs(values).max(), 1e-6)
    cmap, t = plt.get_cmap("coolwarm"), 0
    for r, row in enumerate(rows):
        for c, ch in enumerate(row + ("\n" if t + len(row) < len(text) and text[t + len(row)] == "\n" else "")):
            ax.add_patch(plt.Rectangle((c, r), 1, 1, color=cmap(0.5 + 0.5 * values[t] / scale)))
            if ch != "\n":
                ax.text(c + 0.5, r + 0.55, ch, ha="center", va="center", fontsize=8, family="monospace")
            t += 1
    ax.set_xlim(0, width)
    ax.set_ylim(len(rows), 0)
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    scale_bar = plt.cm.ScalarMappable(plt.Normalize(-scale, scale), cmap)
    fig.colorbar(scale_bar, ax=ax, shrink=0.5, pad=0.01, label="activation")
    return fig


def training_plot(baseline, title, smooth=50):
    """A `plot=` for creative_lib.training.fit: losses {"train": bits per step, "validation": bits or NaN per step}.

    Returns draw(losses) -> Figure: plot_bits_curves of the batches and of the steps that were scored.
    """
    def draw(losses):
        train = np.asarray(losses.get("train", []), float)
        val = np.asarray(losses.get("validation", []), float)
        steps = np.arange(1, len(train) + 1)
        scored = np.isfinite(val)
        return plot_bits_curves((steps, train), (steps[: len(val)][scored], val[scored]), baseline, title, smooth)
    return draw

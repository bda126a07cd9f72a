"""Lesson 01's figures: activation curves, decision boundaries (still and live), fitted curves, training curves.

The figures take functions and arrays, not networks: a `proba_fn` maps points (M, 2) to class
probabilities (M, K), so the same drawing serves a NumPy MLP, a Keras model or a threshold unit.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from creative_lib.plotting import LiveFigure

CLASS_COLORS = np.array([[0.12, 0.47, 0.71], [1.0, 0.50, 0.05], [0.17, 0.63, 0.17],
                         [0.84, 0.15, 0.16], [0.58, 0.40, 0.74]])


def plot_activations(activations, lo=-4.0, hi=4.0):
    """One panel per activation {name: (g, g')}: g(z) solid, g'(z) dashed. Returns the Figure."""
    z = np.linspace(lo, hi, 801)
    fig, axes = plt.subplots(1, len(activations), figsize=(3.2 * len(activations), 2.8), sharey=True)
    for ax, (name, (g, dg)) in zip(np.atleast_1d(axes), activations.items()):
        ax.plot(z, g(z), lw=2, label=f"{name}(z)")
        ax.plot(z, dg(z), "--", lw=1.6, label=f"{name}'(z)")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.axvline(0, color="0.6", lw=0.6)
        ax.set(title=name, xlabel="z", ylim=(-1.3, 2.2))
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("g(z), g'(z)")
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    fig.tight_layout()
    return fig


def boundary_grid(x, resolution=150, margin=0.3):
    """A (resolution^2, 2) grid of points covering x's 2-D bounding box, and its extent."""
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return np.stack([g0.ravel(), g1.ravel()], axis=1), (lo[0], hi[0], lo[1], hi[1])


def data_grid(data, resolution):
    """boundary_grid over a Dataset's train and test points."""
    return boundary_grid(np.concatenate([data.x_train, data.x_test]), resolution)


def draw_boundary(ax, probs, extent, data, title=None):
    """Paint class probabilities (resolution^2, K) over `extent` and scatter the data's points.

    Colour mixes the class colours by probability, so pale regions are the uncertain ones.
    Train points are filled circles, test points hollow triangles.
    """
    res = int(round(math.sqrt(len(probs))))
    colors = CLASS_COLORS[: probs.shape[1]]
    rgb = 0.55 + 0.45 * (probs @ colors)  # lightened class colours
    ax.imshow(rgb.reshape(res, res, 3), origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
    if probs.shape[1] == 2:
        ax.contour(*np.meshgrid(np.linspace(*extent[:2], res), np.linspace(*extent[2:], res)),
                   probs[:, 1].reshape(res, res), levels=[0.5], colors="k", linewidths=1)
    size = 70 if len(data.x_train) < 50 else 16  # a truth table's four points must stand out
    ax.scatter(*data.x_train.T, c=colors[data.y_train], s=size, edgecolors="white", linewidths=0.5)
    has_test = not np.array_equal(data.x_test, data.x_train)
    if has_test:
        ax.scatter(*data.x_test.T, facecolors="none", edgecolors=colors[data.y_test], marker="^", s=1.6 * size,
                   linewidths=1.1)
    ax.set_xlim(*extent[:2])
    ax.set_ylim(*extent[2:])
    ax.set_xlabel(data.features[0] if data.features else "x1")
    ax.set_ylabel(data.features[1] if len(data.features) > 1 else "x2")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(handles=legend_handles(data, colors, has_test), loc="best", fontsize=7, framealpha=0.8)


def legend_handles(data, colors, has_test):
    """One entry per class in its colour, then grey markers saying which shape is train and which test."""
    names = data.classes or [str(k) for k in range(len(colors))]
    handles = [Line2D([], [], ls="", marker="s", ms=6, color=c, label=f"class {n}" if n.isdigit() else n)
               for n, c in zip(names, colors)]
    handles.append(Line2D([], [], ls="", marker="o", ms=5, color="0.35", label="train (filled)"))
    if has_test:
        handles.append(Line2D([], [], ls="", marker="^", ms=6, mfc="none", color="0.35", label="test (hollow)"))
    return handles


def plot_decision_boundary(proba_fn, data, ax=None, title=None, resolution=150):
    """Decision regions of proba_fn ((M, 2) -> (M, K) probabilities) with data's train/test points."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.8))
    grid, extent = data_grid(data, resolution)
    draw_boundary(ax, np.asarray(proba_fn(grid)), extent, data, title)
    return ax.figure


class LiveBoundary:
    """The decision boundary and the loss curves, redrawn in place while a network trains.

        live = LiveBoundary(moons, steps, proba_fn=predict_proba)
        train(params, x, y, steps, callback=live.redraw, every=steps // 10)

    proba_fn(params, points (M, 2)) -> (M, K). Every redraw is kept in .shots as
    (step, grid probabilities) for plot_snapshots(), and scores the test points (.test_losses,
    {step: cross-entropy}). show(fig) puts the figure on screen: by default one notebook output
    redrawn in place; a demo passes its own (an ipywidgets.Image, say).
    """

    def __init__(self, data, steps, proba_fn, title=None, resolution=100, show=None):
        self.data, self.steps, self.proba_fn, self.title = data, steps, proba_fn, title or data.name
        self.grid, self.extent = data_grid(data, resolution)
        self.fig, (self.ax_b, self.ax_l) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1.1, 1]})
        plt.close(self.fig)
        self.show = show or LiveFigure().show
        self.has_test = not np.array_equal(data.x_test, data.x_train)
        self.shots, self.test_losses = [], {}

    def redraw(self, step, params, losses):
        probs = self.proba_fn(params, self.grid)
        self.shots.append((step, probs))
        acc = np.mean(np.argmax(self.proba_fn(params, self.data.x_train), axis=-1) == self.data.y_train)
        self.ax_b.clear()
        self.ax_l.clear()
        draw_boundary(self.ax_b, probs, self.extent, self.data, f"{self.title}\nstep {step}, train accuracy {acc:.2f}")
        self.ax_l.plot(np.arange(1, len(losses) + 1), losses, lw=1.2, label="training set")
        if self.has_test:
            p_test = self.proba_fn(params, self.data.x_test)[np.arange(len(self.data.y_test)), self.data.y_test]
            self.test_losses[step] = float(-np.mean(np.log(np.clip(p_test, 1e-12, None))))
            self.ax_l.plot(list(self.test_losses), list(self.test_losses.values()), "o-", ms=3, lw=1, label="test set")
        self.ax_l.set(xlabel="step", ylabel="cross-entropy (nats)", title="loss", xlim=(0, self.steps))
        if losses:
            self.ax_l.set_yscale("log")
            self.ax_l.legend(fontsize=8)
        self.ax_l.grid(alpha=0.3, which="both")
        self.fig.tight_layout()
        self.show(self.fig)


def plot_snapshots(shots, data, count=4, title=None):
    """The decision boundary at `count` moments of training (first and last included), side by side."""
    res = int(round(math.sqrt(len(shots[0][1]))))
    _, extent = data_grid(data, res)
    picks = [shots[i] for i in np.unique(np.linspace(0, len(shots) - 1, count).round().astype(int))]
    fig, axes = plt.subplots(1, len(picks), figsize=(3.2 * len(picks), 3.1))
    for ax, (t, probs) in zip(np.atleast_1d(axes), picks):
        draw_boundary(ax, probs, extent, data, f"step {t}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_fits(fits, x, y, title, ncols=3, errors=False):
    """One panel per fitted net: the target curve y (N, 1), the net's output, its size and error.

    fits: dicts with "name", "output" (N,), "n_params" and "mse". errors=True adds a panel of
    |network - target| along x for every net, on a log scale.
    """
    n = len(fits) + int(errors)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.8 * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, f in zip(axes.flat, fits):
        ax.plot(x[:, 0], y[:, 0], color="0.2", lw=2.5, alpha=0.35, label="target")
        ax.plot(x[:, 0], f["output"], color="C3", lw=1.5, label="network")
        ax.set_title(f"{f['name']}: {f['n_params']} params\nMSE {f['mse']:.5f}", fontsize=9)
        ax.set(xlabel="x", ylabel="y", ylim=(-1.3, 1.3))
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    if errors:
        ax = axes.flat[len(fits)]
        for i, f in enumerate(fits):
            ax.semilogy(x[:, 0], np.abs(f["output"] - y[:, 0]) + 1e-8, lw=1.2, color=f"C{i}", label=f["name"])
        ax.set(xlabel="x", ylabel="|network - target|", title="error along x")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(panels, title, xlabel="step"):
    """Training curves, one panel per quantity, each on its own labelled y-axis.

    panels: [(ylabel, {label: values}, logy), ...]; values is a list (one per step, from step 1) or a
    dict {step or epoch: value}. Returns the Figure.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(max(4.6 * len(panels), 7.5), 3.3), squeeze=False)
    for ax, (ylabel, series, logy) in zip(axes[0], panels):
        for label, values in series.items():
            xs, ys = (list(values), list(values.values())) if isinstance(values, dict) else \
                (np.arange(1, len(values) + 1), values)
            ax.plot(xs, ys, lw=1.3, marker="o" if len(ys) < 40 else None, ms=3, label=label)
        ax.set(xlabel=xlabel, ylabel=ylabel, yscale="log" if logy else "linear")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, ncols=2 if len(series) > 4 else 1)
    fig.suptitle(title)
    fig.tight_layout()
    return fig

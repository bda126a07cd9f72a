"""Lesson 01's demo: a small TensorFlow Playground (Smilkov & Carter 2016) on the NumPy MLP.

    demo = Playground(steps=1500)
    display(demo.ui)          # in Jupyter: pick data, noise, width, depth, activation, learning rate; press Train
    fig = demo.retrain()      # what the button does; also callable from code

Training is animated: the decision boundary and the loss curves are redrawn every tenth of the way.
"""
import html

import ipywidgets as widgets
import numpy as np

from creative_lib import nnplots, toydata
from creative_lib.demos.kit import STYLE
from creative_lib.nn import TRAINABLE_ACTIVATIONS, accuracy, init_mlp, mlp_sizes, param_count, predict_proba, train
from creative_lib.plotting import figure_png

FRAMES = 10  # redraws per training run, besides the first


class Playground:
    """Train a classifier MLP from scratch with the chosen settings, showing its boundary and loss as it learns."""

    SETTINGS = ("dataset", "noise", "width", "depth", "act", "lr")

    def __init__(self, steps=1500, seed=0, n=300):
        self.steps, self.seed, self.n = steps, seed, n
        self.accuracy = None  # test accuracy of the last training run
        self.dataset = widgets.Dropdown(options=list(toydata.DATASETS), value="spiral", description="data set",
                                        style=STYLE)
        self.noise = widgets.FloatSlider(value=0.2, min=0.0, max=0.5, step=0.05, description="noise", style=STYLE)
        self.width = widgets.IntSlider(value=16, min=1, max=64, description="width", style=STYLE)
        self.depth = widgets.IntSlider(value=2, min=1, max=4, description="hidden layers", style=STYLE)
        self.act = widgets.Dropdown(options=TRAINABLE_ACTIVATIONS, value="tanh", description="activation",
                                    style=STYLE)
        self.lr = widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.25, description="learning rate",
                                         readout_format=".4f", style=STYLE)
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="640px"))
        self.button.on_click(lambda _: self.retrain())
        controls = widgets.VBox([self.dataset, self.noise, self.width, self.depth, self.act, self.lr, self.button,
                                 self.status])
        self.ui = widgets.HBox([controls, self.image])

    def make_data(self, name):
        """The chosen data set; noise spreads the moons and the spiral's arms (XOR is its 4-point truth table)."""
        if name in toydata.LOGIC_TARGETS:
            return toydata.logic_gate(name)
        return toydata.DATASETS[name](n=self.n, noise=self.noise.value, seed=self.seed)

    def show(self, fig):
        self.image.value = figure_png(fig, dpi=80, close=False)

    def retrain(self, **settings):
        """Apply any settings (dataset=, noise=, width=, depth=, act=, lr=), retrain from scratch, animating.

        Returns the last frame's Figure (also the widget's picture) and stores test accuracy in .accuracy.
        """
        for key, value in settings.items():
            if key not in self.SETTINGS:
                raise ValueError(f"Unknown setting {key!r}; use {', '.join(self.SETTINGS)}.")
            getattr(self, key).value = value
        data = self.make_data(self.dataset.value)
        sizes = mlp_sizes(2, self.width.value, self.depth.value, data.n_classes)
        params = init_mlp(sizes, np.random.default_rng(self.seed))
        act = self.act.value
        shape = "-".join(map(str, sizes))
        live = nnplots.LiveBoundary(data, self.steps, lambda p, pts: predict_proba(p, pts, act),
                                    title=f"{data.name}, {shape} {act}, lr {self.lr.value:.3g}", show=self.show)
        self.status.value = "training ..."
        live.redraw(0, params, [])
        try:
            train(params, data.x_train, data.y_train, self.steps, lr=self.lr.value, act=act,
                  callback=live.redraw, every=max(1, self.steps // FRAMES))
        except FloatingPointError as err:
            self.status.value = f"<b>diverged</b>: {html.escape(str(err))}"
            self.accuracy = None
            return None
        self.accuracy = accuracy(predict_proba(params, data.x_test, act), data.y_test)
        noise = "no noise (a truth table)" if data.name in toydata.LOGIC_TARGETS else f"noise {self.noise.value:.2f}"
        self.status.value = (f"test accuracy <b>{self.accuracy:.2f}</b> ({param_count(sizes)} parameters, "
                             f"{noise})")
        return live.fig

"""Lesson 05's demo: a trained generator's latent space, by seed and by slider.

    demo = LatentDemo(generator, z_dim=100, data=data, seed=0)   # data: the ImageSet it learnt from
    display(demo.ui)
    demo.draw_grid(seed=3); demo.between(0, 5, t=0.5)   # what the controls do

Sixteen samples drawn from the noise of one seed (the same seed always draws the same samples);
two of them picked (numbered 1 to 16, row by row), and a slider that moves from one to the
other along slerp or lerp. The demo names what the generator learnt to draw (`data.about`).
"""
import html

import ipywidgets as w
import numpy as np

from creative_lib.demos.kit import STYLE, WIDE, png
from creative_lib.gan import draw, lerp, slerp
from creative_lib.ganplots import mosaic
from creative_lib.plotting import enlarge

GRID = 16


class LatentDemo:
    """A seed box, New noise, two sample pickers, a path dropdown and a slider from one sample to the other."""

    def __init__(self, generator, z_dim, data, seed=0):
        self.generator, self.z_dim = generator, z_dim
        self.heading = w.HTML(f"<b>Samples of a generator trained on {html.escape(data.about)}</b>")
        self.seed = w.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed", style=STYLE)
        self.new = w.Button(description="New noise", button_style="primary", icon="random")
        numbers = [(str(k + 1), k) for k in range(GRID)]
        self.first = w.Dropdown(options=numbers, value=0, description="from sample", style=STYLE)
        self.second = w.Dropdown(options=numbers, value=1, description="to sample", style=STYLE)
        self.path = w.Dropdown(options=["slerp", "lerp"], value="slerp", description="path", style=STYLE)
        self.t = w.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="from → to", style=STYLE, layout=WIDE)
        self.grid_view = w.Image(format="png", layout=w.Layout(width="260px"))
        self.between_view = w.Image(format="png", layout=w.Layout(width="200px"))
        self.caption = w.HTML()
        self.seed.observe(lambda _: self.draw_grid(), names="value")
        self.new.on_click(lambda _: setattr(self.seed, "value", self.seed.value + 1))  # redraws through the seed box
        for control in (self.first, self.second, self.path, self.t):
            control.observe(lambda _: self.between(), names="value")
        controls = w.VBox([self.heading, w.HBox([self.seed, self.new]), self.first, self.second, self.path, self.t,
                           self.caption],
                          layout=w.Layout(min_width="480px"))
        self.ui = w.HBox([controls, self.between_view, self.grid_view], layout=w.Layout(align_items="flex-start"))
        self.draw_grid()

    def noise(self, seed):
        """The GRID noise vectors of a seed: (GRID, z_dim) float32, always the same for the same seed."""
        return np.random.default_rng(seed).standard_normal((GRID, self.z_dim)).astype(np.float32)

    def draw_grid(self, seed=None):
        """Draw the sixteen samples of the seed (the seed box's, or this one, set on it); returns them."""
        if seed is not None and seed != self.seed.value:
            self.seed.value = seed  # its observer draws
            return self.images
        self.zs = self.noise(self.seed.value)
        self.images = draw(self.generator, self.zs)
        self.grid_view.value = png(enlarge(mosaic(self.images, ncols=4), 2))
        self.between()
        return self.images

    def between(self, first=None, second=None, t=None):
        """The sample at fraction t of the path from one picked sample to the other: (side, side, 1)."""
        for control, value in ((self.first, first), (self.second, second), (self.t, t)):
            if value is not None:
                control.value = value
        path = slerp if self.path.value == "slerp" else lerp
        z = path(self.zs[self.first.value], self.zs[self.second.value], self.t.value)
        image = draw(self.generator, z[None])[0]
        self.between_view.value = png(enlarge(mosaic(image[None], ncols=1, gap=0), 7))
        self.caption.value = (f"seed {self.seed.value}: sample {self.first.value + 1} → {self.second.value + 1}, "
                              f"{self.path.value} at t = {self.t.value:.2f}, |z| = {np.linalg.norm(z):.1f}")
        return image

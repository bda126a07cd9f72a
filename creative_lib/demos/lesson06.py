"""Lesson 06's demo: fog a photo, defog it with each method, and wipe from one to the other.

    demo = DefogDemo(scenes={"china": (photo, depth), ...}, fog=fog_at, depth_model=ground_depth,
                     methods={"CycleGAN": lambda im: translate(G, im), ...})
    display(demo.ui); foggy, defogged = demo.update()   # what every control does (after setting it)

A scene is a clear photo (H, W, 3) with its depth map (H, W) in metres; an uploaded photo (longest
side at most 256 px) gets depth_model(height, width). The density is the fog's optical depth at the
photo's median depth; 0 adds no fog, for a photo that is foggy already. When the fog was added here
the clear photo is known, so the foggy input and the result are both scored by PSNR against it.
"""
import html

import ipywidgets as w
import numpy as np

from creative_lib.demos.kit import STYLE, WIDE, BeforeAfter, ImageChooser, refusal
from creative_lib.images import psnr

UPLOAD_SIDE = 256  # an uploaded photo's longest side, in pixels


class DefogDemo(ImageChooser):
    """A photo picker (and upload), the fog's density, the method, a before/after wipe and the scores."""

    def __init__(self, scenes, fog, depth_model, methods, density=1.0):
        self.scenes = {name: (np.asarray(clear, np.float32), depth) for name, (clear, depth) in scenes.items()}
        self.fog, self.depth_model, self.methods = fog, depth_model, dict(methods)
        self.choose_images({name: clear for name, (clear, _) in self.scenes.items()}, max_side=UPLOAD_SIDE,
                           min_side=32, description="photo", style=STYLE, layout=WIDE)
        self.density = w.FloatSlider(value=density, min=0, max=2, step=0.1, readout_format=".1f",
                                     continuous_update=False, description="fog density",
                                     style=STYLE, layout=WIDE)
        self.method = w.Dropdown(options=list(self.methods), description="method", style=STYLE)
        self.compare = BeforeAfter(labels=("foggy", "defogged"))
        self.message = w.HTML()
        for control in (self.density, self.method):
            control.observe(lambda _: self.update(), names="value")
        self.ui = w.VBox([w.HBox([self.picker, self.upload]), self.density, self.method, self.compare.ui,
                          self.message])
        self.update()

    def redraw(self):
        """The picker's choice changed (ImageChooser calls this)."""
        self.update()

    def photo(self):
        """The chosen clear photo and its depth map; an upload gets the depth model's (ValueError if refused)."""
        if self.picker.value in self.scenes:
            return self.scenes[self.picker.value]
        clear = self.image()
        return clear, self.depth_model(*clear.shape[:2])

    def update(self):
        """Fog the chosen photo, defog it with the chosen method, show both and the scores: (foggy, defogged).

        A refused upload (or a method that fails on it) is said in one sentence; the last pictures stay.
        """
        try:
            clear, depth = self.photo()
            density, name = self.density.value, self.method.value
            foggy = self.fog(clear, depth, density) if density > 0 else clear
            defogged = np.clip(self.methods[name](foggy), 0.0, 1.0)
            self.compare.set(foggy, defogged)
        except ValueError as err:
            self.message.value = refusal(err)
            return None
        if density > 0:
            self.message.value = (f"foggy {psnr(clear, foggy):.1f} dB · {html.escape(name)} "
                                  f"{psnr(clear, defogged):.1f} dB (PSNR against the clear photo)")
        else:
            self.message.value = ("density 0: no fog was added, so there is no clear original to score "
                                  "against (for a photo that is foggy already)")
        return foggy, defogged

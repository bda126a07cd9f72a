"""Lesson 02's demos: a kernel playground and a look inside the trained shapes CNN.

    kernel_demo = KernelDemo({"camera": photo, ...}); display(kernel_demo.ui); kernel_demo.update()
    layer_demo = FeatureMapDemo(model, {"a star": image, ...}); display(layer_demo.ui); layer_demo.update()

Both take a user's upload through creative_lib.images.load_image; each has render() -> Figure,
and update() that shows it in the widget (or says in one sentence why an input was refused).
Each draws its first picture as it is built, so the picture is already there when JupyterLab
draws the widget, even in a cell that Run All reaches while it is scrolled out of view.
"""
import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from skimage.color import rgb2gray

from creative_lib import shapes
from creative_lib.cnn import KERNELS, feature_map_layers, feature_maps, filter2d
from creative_lib.cnnplots import show_response, strongest_channels
from creative_lib.demos.kit import ImageChooser, refusal
from creative_lib.plotting import figure_png


class _Demo(ImageChooser):
    """Shared plumbing: a photo picker with an upload button, an output area, and live redraws."""

    def __init__(self, images, max_side, min_side):
        self.choose_images(images, max_side, min_side)
        self.message = w.HTML()
        self.view = w.Image(format="png")  # an image widget, not an Output area: it works in every client

    def redraw(self):
        self.update()

    def update(self, **choices):
        """Redraw the demo's picture; a refused input shows its one-sentence reason instead."""
        try:
            fig = self.render(**choices)
        except ValueError as err:  # a user's bad file: say what is accepted, keep the demo alive
            self.message.value = refusal(err)
            return
        self.message.value = ""
        self.view.value = figure_png(fig, dpi=80)


class KernelDemo(_Demo):
    """Pick or type a 3x3 kernel and see its feature map on a chosen photo, live."""

    def __init__(self, photos, kernels=None, max_side=384):
        super().__init__(photos, max_side, min_side=16)
        self.kernels = kernels or KERNELS
        self.preset = w.Dropdown(options=list(self.kernels), value="vertical edges (Sobel)", description="kernel")
        self.cells = [w.FloatText(layout=w.Layout(width="70px")) for _ in range(9)]
        self._load_preset()
        self.preset.observe(lambda _: (self._load_preset(), self.update()), names="value")
        for cell in self.cells:
            cell.observe(lambda _: self.update(), names="value")
        # three rows of three, not a GridBox: a stored (not yet running) widget's marker would shift a grid
        grid = w.VBox([w.HBox(self.cells[i:i + 3]) for i in (0, 3, 6)])
        self.ui = w.VBox([w.HBox([self.picker, self.upload]), w.HBox([self.preset, grid]), self.message, self.view])
        self.update()

    def _load_preset(self):
        self._loading = True
        for cell, value in zip(self.cells, self.kernels[self.preset.value].ravel()):
            cell.value = round(float(value), 4)
        self._loading = False

    def kernel(self):
        return np.array([c.value for c in self.cells], dtype=np.float32).reshape(3, 3)

    def update(self, **choices):
        if not getattr(self, "_loading", True):  # not while a preset fills the nine cells one by one
            super().update(**choices)

    def render(self, photo=None, kernel=None):
        """Photo, kernel and feature map side by side."""
        kernel = self.kernel() if kernel is None else np.asarray(kernel, dtype=np.float32)
        image = self.image(photo)
        response = filter2d(rgb2gray(image), kernel)
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), gridspec_kw={"width_ratios": [3, 1.2, 3]})
        axes[0].imshow(image)
        axes[0].set_title(f"photo ({image.shape[1]}x{image.shape[0]})", fontsize=9)
        axes[0].axis("off")
        axes[1].imshow(kernel, cmap="RdBu_r", vmin=-np.abs(kernel).max() or -1, vmax=np.abs(kernel).max() or 1)
        for (i, j), v in np.ndenumerate(kernel):
            strong = abs(v) > 0.6 * np.abs(kernel).max()
            axes[1].text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8, color="white" if strong else "black")
        axes[1].set_title("kernel", fontsize=9)
        axes[1].axis("off")
        show_response(axes[2], response, kernel, "feature map")
        fig.tight_layout()
        return fig


class FeatureMapDemo(_Demo):
    """Pick an image and a layer of a trained CNN, and see that layer's feature maps."""

    def __init__(self, model, images, max_side=96, min_side=24, channels=16):
        super().__init__(images, max_side, min_side)
        self.model, self.channels = model, channels
        self.layer = w.Dropdown(options=feature_map_layers(model), description="layer")
        self.layer.observe(lambda _: self.update(), names="value")
        self.ui = w.VBox([w.HBox([self.picker, self.upload, self.layer]), self.message, self.view])
        self.update()

    def render(self, image=None, layer=None):
        """The input and up to `channels` maps of the chosen layer, strongest first."""
        layer = layer or self.layer.value
        img = self.image(image)
        fmap = feature_maps(self.model, img, [layer])[layer]
        probs = self.model(img[None], training=False).numpy()[0]
        cols = 1 + min(self.channels, fmap.shape[-1]) // 2
        fig, axes = plt.subplots(2, cols, figsize=(1.6 * cols, 4.0), squeeze=False, layout="constrained")
        for ax in axes.flat:
            ax.axis("off")
        axes[0, 0].imshow(img)
        names = shapes.CLASSES if len(probs) == len(shapes.CLASSES) else range(len(probs))
        best = int(np.argmax(probs))
        axes[0, 0].set_title(f"input\n→ {list(names)[best]} ({probs[best]:.0%})", fontsize=8)
        order = strongest_channels(fmap, 2 * (cols - 1))
        silent = [int(c) for c in order if not fmap[..., c].any()]
        for ax, c in zip([a for row in axes for a in row[1:]], order):
            ax.imshow(fmap[..., c], cmap="viridis")
            ax.set_title(f"#{c}" + (" all 0" if c in silent else ""), fontsize=8)
        note = (f"; {len(silent)} shown are 0 everywhere on this image (ReLU cuts their negative responses)"
                if silent else "")
        fig.suptitle(f"layer {layer}: {fmap.shape[0]}x{fmap.shape[1]}, {fmap.shape[2]} channels{note}", fontsize=10)
        return fig

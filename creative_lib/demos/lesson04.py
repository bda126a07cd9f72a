"""Lesson 04's demo: style transfer live, on the course's pictures or a user's own.

    demo = StyleDemo(backbone, {"astronaut": photo, ...}, {"starry": painting, ...}, ratio=1e-2, tv=1.0)
    display(demo.ui); demo.stylise(size=128)     # what the Stylise button does; returns the image

Two pickers (each with an upload button), the alpha/beta ratio, the total-variation weight, the
image size, the budget of L-BFGS evaluations and whose colours to keep (the painting's or the
photo's); the result is redrawn while L-BFGS works.
"""
import ipywidgets as w

from creative_lib.demos.kit import STYLE, WIDE, ImageChooser, jpeg, refusal
from creative_lib.images import load_image
from creative_lib.style import stylise, stylise_keeping_colours

SIZES = (96, 128, 192, 256, 384)


class Picker(ImageChooser):
    """One dropdown of named pictures with its upload button; on_change() runs when the choice changes."""

    def __init__(self, images, on_change, min_side, **dropdown):
        self.on_change = on_change
        self.choose_images(images, max_side=max(SIZES), min_side=min_side, style=STYLE, **dropdown)

    def redraw(self):
        self.on_change()


class StyleDemo:
    """Content and style pickers, alpha/beta, TV weight, size, budget, colours; Stylise shows the result growing."""

    def __init__(self, backbone, photos, paintings, ratio=1e-2, tv=1.0, size=128, evaluations=60):
        self.backbone, self.result = backbone, None
        min_side = backbone.spec.min_side
        self.content = Picker(photos, lambda: self.show_inputs(), min_side, description="content")
        self.style = Picker(paintings, lambda: self.show_inputs(), min_side, description="style")
        self.ratio = w.FloatLogSlider(value=ratio, base=10, min=-4, max=1, step=0.25, readout_format=".0e",
                                      description="α/β (content/style)", style=STYLE, layout=WIDE)
        self.tv = w.FloatSlider(value=tv, min=0, max=20, step=0.5, description="TV weight",
                                style=STYLE, layout=WIDE)
        self.size = w.Dropdown(options=SIZES, value=size, description="size (longest side)", style=STYLE)
        self.evaluations = w.IntSlider(value=evaluations, min=10, max=200, step=10, description="L-BFGS evaluations",
                                       style=STYLE, layout=WIDE)
        self.keep_colours = w.Dropdown(options=[("the painting's", False), ("the photo's", True)],
                                       value=False, description="colours", style=STYLE)
        self.button = w.Button(description="Stylise", button_style="primary", icon="paint-brush")
        self.button.on_click(lambda _: self.stylise())
        self.message = w.HTML()
        self.views = {name: w.Image(format="jpeg", layout=w.Layout(width=f"{px}px"))  # small results shown enlarged
                      for name, px in [("content", 140), ("style", 140), ("result", 320)]}
        controls = [w.HBox([self.content.picker, self.content.upload]), w.HBox([self.style.picker, self.style.upload]),
                    self.ratio, self.tv, self.size, self.evaluations, self.keep_colours, self.button]
        inputs = w.VBox([self.views["content"], self.views["style"]])
        top = w.Layout(align_items="flex-start")
        column = w.VBox(controls, layout=w.Layout(min_width="480px"))  # the sliders' readouts stay visible
        self.ui = w.VBox([w.HBox([column, inputs, self.views["result"]], layout=top), self.message])
        self.show_inputs()

    def inputs(self):
        """(content, style), each (1, H, W, 3) with its longest side at most the chosen size; ValueError if refused."""
        fit = lambda image: load_image(image, max_side=self.size.value, min_side=self.backbone.spec.min_side)[None]
        return fit(self.content.image()), fit(self.style.image())

    def show_inputs(self):
        """Show the two chosen pictures, and the photo where the result will grow (or say why one was refused)."""
        try:
            content, style = self.content.image(), self.style.image()
        except ValueError as err:
            self.message.value = refusal(err)
            return
        self.message.value = ""
        self.views["content"].value, self.views["style"].value = jpeg(content), jpeg(style)
        self.views["result"].value, self.result = jpeg(content), None  # L-BFGS starts from the photo

    def stylise(self, **settings):
        """Style transfer with the controls' settings, shown as it grows; returns the image (H, W, 3).

        Settings given (ratio=, tv=, size=, evaluations=, keep_colours=) are set on the controls first.
        """
        for name, value in settings.items():
            getattr(self, name).value = value
        try:
            content, style = self.inputs()
        except ValueError as err:
            self.message.value = refusal(err)
            return None
        self.message.value = ""
        method = stylise_keeping_colours if self.keep_colours.value else stylise
        evaluations = self.evaluations.value
        self.button.disabled = True
        try:
            image, _ = method(self.backbone, content, style, ratio=self.ratio.value, tv=self.tv.value,
                              evaluations=evaluations, every=max(1, evaluations // 6),
                              on_step=lambda k, im: setattr(self.views["result"], "value", jpeg(im[0])))
        finally:
            self.button.disabled = False
        self.result = image[0]
        self.views["result"].value = jpeg(self.result)
        return self.result

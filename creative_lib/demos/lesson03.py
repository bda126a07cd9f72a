"""Lesson 03's demos: DeepDream live, with a Save button, and an ε slider that fools the shapes CNN.

    dream_demo = DreamDemo(backbone, {"astronaut": photo, ...}, layers=[...], weights={...}, output_dir=...)
    display(dream_demo.ui); dream_demo.dream()      # what the Dream button does; dream_demo.save() -> path
    attack_demo = AttackDemo(classifier, {"a star": image, ...})
    display(attack_demo.ui); attack_demo.update(epsilon=0.03)   # what moving the slider does

Pictures go into ipywidgets.Image widgets whose value is replaced, which every client shows live.
"""
import html
from pathlib import Path

import ipywidgets as w
import numpy as np

from creative_lib import shapes
from creative_lib.dream import Dreamer, dream_octaves, fgsm, predict
from creative_lib.dreamplots import attack_examples
from creative_lib.demos.kit import STYLE, WIDE, ImageChooser, jpeg, refusal
from creative_lib.images import save_image
from creative_lib.nn import softmax
from creative_lib.plotting import figure_png

class DreamDemo(ImageChooser):
    """Layer weights, steps, step size, octaves and scale; the dream grows live; Save writes it to disk."""

    def __init__(self, backbone, photos, layers, weights, output_dir, steps=10, max_side=320):
        self.backbone, self.output_dir, self.result, self.saved = backbone, Path(output_dir), None, 0
        self.choose_images(photos, max_side, min_side=2 * backbone.spec.min_side, description="photo", style=STYLE)
        names = list(dict.fromkeys([*weights, *layers]))
        self.weights = {name: w.FloatSlider(value=float(weights.get(name, 0.0)), min=0, max=2, step=0.1,
                                            description=f"weight {name}", style=STYLE, layout=WIDE) for name in names}
        self.steps = w.IntSlider(value=steps, min=1, max=40, description="steps per octave", style=STYLE, layout=WIDE)
        self.step_size = w.FloatSlider(value=0.01, min=0.002, max=0.03, step=0.002, readout_format=".3f",
                                       description="step size", style=STYLE, layout=WIDE)
        self.octaves = w.IntSlider(value=3, min=1, max=5, description="octaves", style=STYLE, layout=WIDE)
        self.scale = w.FloatSlider(value=1.4, min=1.1, max=2.0, step=0.05, description="octave scale",
                                   style=STYLE, layout=WIDE)
        self.dream_button = w.Button(description="Dream", button_style="primary", icon="eye")
        self.save_button = w.Button(description="Save", icon="save")
        self.message = w.HTML()
        self.view = w.Image(format="jpeg")
        self.dream_button.on_click(lambda _: self.dream())
        self.save_button.on_click(lambda _: self.save())
        controls = [w.HBox([self.picker, self.upload]), *self.weights.values(), self.steps, self.step_size,
                    self.octaves, self.scale, w.HBox([self.dream_button, self.save_button])]
        top = w.Layout(align_items="flex-start")  # the picture keeps its own height, whatever the controls' column
        self.ui = w.VBox([w.HBox([w.VBox(controls), self.view], layout=top), self.message])
        self.redraw()

    def redraw(self):
        """Show the chosen photo (or say in one sentence why it was refused)."""
        try:
            image = self.image()
        except ValueError as err:
            self.message.value = refusal(err)
            return
        self.message.value = ""
        self.result = None
        self.view.value = jpeg(image)

    def dream(self, **settings):
        """Dream on the chosen photo with the controls' settings, showing it as it grows; returns the dream.

        Settings given (weights={...}, steps=, step_size=, octaves=, scale=) are set on the controls first.
        """
        for name, value in settings.pop("weights", {}).items():
            self.weights[name].value = value
        for name, value in settings.items():
            getattr(self, name).value = value
        try:
            image = self.image()
            dreamer = Dreamer(self.backbone, {name: s.value for name, s in self.weights.items()})
        except ValueError as err:
            self.message.value = refusal(err)
            return None
        self.message.value = ""
        self.dream_button.disabled = True
        try:
            self.result = dream_octaves(dreamer, image, self.octaves.value, self.scale.value, self.steps.value,
                                        self.step_size.value, every=max(1, self.steps.value // 3),
                                        on_step=lambda k, im: setattr(self.view, "value", jpeg(im)))
        finally:
            self.dream_button.disabled = False
        self.view.value = jpeg(self.result)
        return self.result

    def save(self):
        """Write the current dream (or the photo, before any dream) to OUTPUT_DIR/dream_NNN.png; returns the path."""
        image = self.result if self.result is not None else self.image()
        while True:
            self.saved += 1
            path = self.output_dir / f"dream_{self.saved:03d}.png"
            if not path.exists():
                break
        save_image(image, path)
        self.message.value = f"Saved {html.escape(path.name)} ({image.shape[1]}x{image.shape[0]}) in OUTPUT_DIR."
        return path


class AttackDemo:
    """Pick a shape and move ε: the image, the perturbation and the network's answer, live."""

    def __init__(self, classifier, images, classes=shapes.CLASSES, epsilon=0.0):
        self.classifier, self.images, self.classes = classifier, dict(images), classes
        self.picker = w.Dropdown(options=list(self.images), description="image", style=STYLE)
        self.epsilon = w.FloatSlider(value=epsilon, min=0, max=0.2, step=0.005, readout_format=".3f",
                                     description="ε", style=STYLE, layout=WIDE)
        self.view = w.Image(format="png")
        self.picker.observe(lambda _: self.update(), names="value")
        self.epsilon.observe(lambda _: self.update(), names="value")
        self.ui = w.VBox([w.HBox([self.picker, self.epsilon]), self.view])
        self.update()

    def render(self, image=None, epsilon=None):
        """Original, perturbation (x10) and adversarial image, each titled with the network's answer."""
        x = self.images[image or self.picker.value][None]
        eps = self.epsilon.value if epsilon is None else epsilon
        label = predict(self.classifier, x)
        x_adv = fgsm(self.classifier, x, label, eps)
        probs = softmax(np.asarray(self.classifier.model(self.classifier.preprocess(np.concatenate([x, x_adv])))))
        answers = [f"{self.classes[int(np.argmax(p))]} ({np.max(p):.0%})" for p in probs]
        return attack_examples(x, x_adv, answers[:1], answers[1:], eps, flipped=[probs[1].argmax() != label[0]],
                               title="Move ε: when does the network change its mind?")

    def update(self, **choices):
        """Redraw; `epsilon=` or `image=` given are set on the controls first (which redraws)."""
        if "epsilon" in choices and choices["epsilon"] != self.epsilon.value:
            self.epsilon.value = choices["epsilon"]
            return
        if "image" in choices and choices["image"] != self.picker.value:
            self.picker.value = choices["image"]
            return
        self.view.value = figure_png(self.render(), dpi=80)

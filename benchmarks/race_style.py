"""Race 04: lesson 04's Adam recipe against the TensorFlow tutorial's, on the tutorial's own objective.

Both minimise the tutorial's loss (reference_style: its layers, weights and absolute total
variation) from the same photo with the same painting, on the same network. The recipes differ
only in their settings: the tutorial's Adam (learning rate 0.02, constant, beta_1 0.99) and the
lesson's `style.adam` defaults (0.05 falling along a cosine, beta_1 0.95). Both take as many
steps; the target is the total loss the tutorial's recipe ends at.

    python -m benchmarks.race_style [--size tiny|bench] [--json result.json]
"""
import inspect

import tensorflow as tf

from benchmarks.racing import Contender, chunks, race
from benchmarks.reference_style import TUTORIAL_ADAM, tutorial_loss
from benchmarks.results import main, outcome
from creative_lib.backbones import load_backbone
from creative_lib.paintings import picture
from creative_lib.style import adam, adam_step

SIZES = {"tiny": dict(side=48, steps=4, chunk=2), "bench": dict(side=128, steps=400, chunk=20)}
OURS = {name: p.default for name, p in inspect.signature(adam).parameters.items() if name in TUTORIAL_ADAM}


def adam_work(loss, init, steps, chunk, **settings):
    """A Contender's work and image: style.adam's recipe (Adam on the pixels, clipped to [0, 1]) in chunks."""
    step, image, optimizer = adam_step(loss, init, steps, **settings)
    return chunks(step, steps // chunk, chunk, restore=[image, *optimizer.variables]), image


def recipe(settings):
    """'Adam 0.05 cosine, beta_1 0.95': a recipe's settings in words."""
    return (f"Adam {settings['learning_rate']:g} {'cosine' if settings['cosine'] else 'constant'}, "
            f"beta_1 {settings['beta_1']:g}")


def run(size):
    s = SIZES[size]
    backbone = load_backbone("auto", layers=["style", "content"], auto="vgg19")  # one line if it falls back
    content, painting = picture("astronaut", max_side=s["side"])[None], picture("starry", max_side=s["side"])[None]
    loss = tutorial_loss(backbone, content, painting)
    total = lambda image: float(loss(tf.convert_to_tensor(image))["total"][0])  # noqa: E731

    ours, ours_image = adam_work(loss, content, s["steps"], s["chunk"], **OURS)
    theirs, their_image = adam_work(loss, content, s["steps"], s["chunk"], **TUTORIAL_ADAM)
    curves = race([Contender("ours", ours, lambda: total(ours_image)),
                   Contender("reference", theirs, lambda: total(their_image))])
    return outcome(curves, race="04 style transfer", measure="the tutorial's total loss, lower is better",
                   setting=f"the lesson's {recipe(OURS)} against the TensorFlow tutorial's {recipe(TUTORIAL_ADAM)}, "
                           f"{s['steps']} steps each on the tutorial's objective, {backbone.name}, the astronaut "
                           f"photo in the style of `starry` at {content.shape[2]}x{content.shape[1]}, "
                           f"{s['chunk']} steps a turn.")


if __name__ == "__main__":
    main(run)

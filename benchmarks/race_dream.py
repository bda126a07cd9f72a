"""Race 03: lesson 03's DeepDream ascent against the TensorFlow tutorial's, to the same activation.

Both dream the same photo at the same size with the same layers of the same network. The
tutorial's recipe (reference_dream) takes its 100 steps of 0.01 in [-1, 1]; ours is
`Dreamer.ascend` at the lesson's step size, for as many steps. The target is the dream loss (the
layers' summed mean activation) that the tutorial's dream ends at.

    python -m benchmarks.race_dream [--size tiny|bench] [--json result.json]
"""
import tensorflow as tf

from benchmarks.racing import Contender, chunks, race
from benchmarks.reference_dream import TUTORIAL_STEP, TUTORIAL_STEPS, tutorial_ascent, tutorial_step_size
from benchmarks.results import main, outcome
from creative_lib.backbones import load_backbone
from creative_lib.dream import Dreamer, dream_loss
from creative_lib.images import load_photo

SIZES = {"tiny": dict(side=64, steps=4, chunk=2), "bench": dict(side=224, steps=TUTORIAL_STEPS, chunk=5)}
STEP_SIZE = 0.01  # the lesson's, in [0, 1] pixels: twice the tutorial's


def ascent(ascend, start, steps, chunk, step_size):
    """A Contender's work and image: ascend(image, n, step_size) -> (loss, image), `chunk` steps a call."""
    image = tf.Variable(start)
    n, size = tf.constant(chunk), tf.constant(step_size, tf.float32)
    step = lambda: image.assign(ascend(tf.convert_to_tensor(image), n, size)[1])  # noqa: E731
    return chunks(step, steps // chunk, restore=[image]), image


def run(size):
    s = SIZES[size]
    backbone = load_backbone("auto", layers="dream", auto="inception_v3")  # one line if it falls back
    dreamer = Dreamer(backbone, dict.fromkeys(backbone.spec.dream_layers, 1.0))  # the lesson's, and the tutorial's
    net = dreamer.backbone
    photo = load_photo("astronaut", max_side=s["side"], min_side=backbone.spec.min_side)[None]
    loss = lambda x: float(dream_loss(net.model(x), dreamer.weights))  # noqa: E731  (x: (1, H, W, 3) preprocessed)

    ours, dream = ascent(dreamer.ascend, photo, s["steps"], s["chunk"], STEP_SIZE)
    theirs, tutorial_dream = ascent(tutorial_ascent(net), net.preprocess(photo)[0], s["steps"], s["chunk"],
                                    tutorial_step_size(net))
    curves = race([Contender("ours", ours, lambda: loss(net.preprocess(dream))),
                   Contender("reference", theirs, lambda: loss(tutorial_dream[None]))])
    return outcome(curves, higher_is_better=True, race="03 DeepDream",
                   measure=f"dream loss ({' + '.join(dreamer.weights)}), higher is better",
                   setting=f"`Dreamer.ascend` (step {STEP_SIZE} of [0, 1]) against the TensorFlow tutorial's loop "
                           f"({s['steps']} steps of {TUTORIAL_STEP} of [-1, 1]), {backbone.name}, the astronaut "
                           f"photo at {photo.shape[2]}x{photo.shape[1]}, {s['chunk']} steps a turn.")


if __name__ == "__main__":
    main(run)

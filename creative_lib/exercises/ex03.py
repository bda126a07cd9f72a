"""Checked exercises of lesson 03 (DeepDream, feature visualisation, adversarial examples).

    from creative_lib.exercises import ex03 as ex
    ex.q1.check(dream_loss); ex.q1.hint(); ex.q1.solution()

q1-q5 take the lesson's DeepDream and attack apart; q6 is a feature visualisation written from scratch.
"""
import functools
from types import SimpleNamespace

import numpy as np
import tensorflow as tf

from creative_lib import dream, shapes
from creative_lib.dream import tile_edges
from creative_lib.exercises.core import Case, Question
from creative_lib.images import resize

_rng = np.random.default_rng(3)


def _activations(*shapes_):
    return {f"layer{i}": np.abs(_rng.normal(size=s)).astype(np.float32) for i, s in enumerate(shapes_)}


# ---------------------------------------------------------------- q1: the dream loss

def dream_loss(activations, weights):
    return sum(w * np.mean(activations[name]) for name, w in weights.items())


q1 = Question(
    "q1", "The dream loss over several layers",
    cases=[
        Case(args=(_activations((1, 4, 4, 8)), {"layer0": 1.0}), label="one layer, weight 1"),
        Case(args=(_activations((1, 6, 6, 4), (1, 3, 3, 16)), {"layer0": 0.5, "layer1": 2.0}),
             label="two layers of different sizes, weights 0.5 and 2"),
        Case(args=(_activations((1, 5, 5, 3), (1, 2, 2, 7), (1, 4, 4, 2)), {"layer2": 1.5, "layer0": 1.0}),
             label="three layers, only two of them weighted"),
    ],
    reference=lambda activations, weights: float(dream.dream_loss(activations, weights)),
    hint="For each (name, weight) in weights.items(), take the mean of activations[name] over all its "
         "numbers (np.mean or tf.reduce_mean), multiply by the weight, and add them up. Layers without a "
         "weight do not count.",
    solution=dream_loss,
)


# ---------------------------------------------------------------- q2: one normalised ascent step

def normalised_step(image, grad, step_size):
    grad = grad / (np.std(grad) + 1e-8)
    return np.clip(image + step_size * grad, 0.0, 1.0)


_IMAGE = _rng.uniform(0.1, 0.9, (1, 6, 5, 3)).astype(np.float32)
q2 = Question(
    "q2", "One normalised gradient-ascent step",
    cases=[
        Case(args=(_IMAGE, _rng.normal(size=_IMAGE.shape).astype(np.float32), 0.01), label="a unit-scale gradient"),
        Case(args=(_IMAGE, 1e-4 * _rng.normal(size=_IMAGE.shape).astype(np.float32), 0.01),
             label="a tiny gradient: the step must be just as large"),
        Case(args=(_IMAGE, 50 * _rng.normal(size=_IMAGE.shape).astype(np.float32), 0.3),
             label="a large step: pixels must stay in [0, 1]"),
    ],
    reference=lambda image, grad, step_size: dream.normalised_step(image, grad, step_size).numpy(),
    hint="Divide the gradient by its standard deviation (plus 1e-8, so that a zero gradient does not divide "
         "by zero), multiply by step_size, add it to the image, and clip to [0, 1] with np.clip.",
    solution=normalised_step,
)


# ---------------------------------------------------------------- q3: the next octave, with detail re-injection

def next_octave(dream_image, photo, previous, size):
    enlarged = resize(dream_image, size)
    lost = resize(photo, size) - resize(resize(photo, previous), size)
    return np.clip(enlarged + lost, 0.0, 1.0)


_PHOTO = _rng.uniform(0, 1, (1, 20, 24, 3)).astype(np.float32)
q3 = Question(
    "q3", "The octave resize with detail re-injection",
    cases=[
        Case(args=(_rng.uniform(0, 1, (1, 10, 12, 3)).astype(np.float32), _PHOTO, (10, 12), (14, 17)),
             label="a 10x12 dream to 14x17"),
        Case(args=(_rng.uniform(0, 1, (1, 14, 17, 3)).astype(np.float32), _PHOTO, (14, 17), (20, 24)),
             label="the last octave: up to the photo's own size, 20x24"),
    ],
    reference=lambda d, photo, previous, size: dream.next_octave(d, photo, previous, size).numpy(),
    hint="Enlarge the dream with resize(dream_image, size). The detail lost at this scale is the photo at `size` "
         "minus the photo shrunk to `previous` and enlarged back to `size`: resize(photo, size) - "
         "resize(resize(photo, previous), size). Add it, then clip to [0, 1].",
    solution=next_octave,
)


# ---------------------------------------------------------------- q4: a tiled gradient with a random roll

class _FixedRoll:
    """An rng whose integers() returns a given shift, so that a tiled gradient is reproducible."""

    def __init__(self, shift):
        self.shift = np.asarray(shift)

    def integers(self, low, high, size=None):
        return self.shift


def _tiled_reference(gradient_fn, image, tile, shift):
    fake = SimpleNamespace(gradient=lambda t: (None, tf.convert_to_tensor(gradient_fn(np.asarray(t)))))
    return np.asarray(dream.tiled_gradient(fake, tf.convert_to_tensor(image), tile, _FixedRoll(shift)))


def tiled_gradient(gradient_fn, image, tile, shift):
    rolled = np.roll(image, shift, axis=(1, 2))
    rows, cols = tile_edges(image.shape[1], tile), tile_edges(image.shape[2], tile)
    grad = np.zeros_like(image)
    for y0, y1 in zip(rows[:-1], rows[1:]):
        for x0, x1 in zip(cols[:-1], cols[1:]):
            grad[:, y0:y1, x0:x1] = gradient_fn(rolled[:, y0:y1, x0:x1])
    return np.roll(grad, (-shift[0], -shift[1]), axis=(1, 2))


def _centred(t):
    """A stand-in gradient that depends on the whole tile, so tiles must be cut exactly where tile_edges says."""
    return t - t.mean(axis=(1, 2), keepdims=True)


_BIG = _rng.uniform(0, 1, (1, 23, 31, 3)).astype(np.float32)
q4 = Question(
    "q4", "A tiled gradient with a random roll",
    cases=[
        Case(args=(lambda t: 2 * t, _BIG, 10, (3, 7)), label="gradient 2x (pixel by pixel), tiles of 10, roll (3, 7)"),
        Case(args=(_centred, _BIG, 10, (0, 0)), label="a gradient that depends on the whole tile, no roll"),
        Case(args=(_centred, _BIG, 12, (5, 11)), label="a gradient that depends on the whole tile, tiles of 12, roll (5, 11)"),
    ],
    reference=_tiled_reference,
    hint="Roll the image with np.roll(image, shift, axis=(1, 2)); cut rows and columns at tile_edges(n, tile); "
         "put gradient_fn(tile) into the same place of an array of zeros; finally roll the gradient back by "
         "(-shift[0], -shift[1]) so that it lines up with the unrolled image.",
    solution=tiled_gradient,
)


# ---------------------------------------------------------------- q5: FGSM

def fgsm(model, images, labels, epsilon):
    images = tf.convert_to_tensor(images, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(images)
        loss = tf.keras.losses.sparse_categorical_crossentropy(labels, model(images), from_logits=True)
    step = epsilon * tf.sign(tape.gradient(loss, images))
    return tf.clip_by_value(images + step, 0.0, 1.0).numpy()


def _shapes_logits():
    from creative_lib.classifiers import load_classifier

    return load_classifier("shapes").model  # reads [0, 1] pixels directly


def _as_is(images):
    return images  # the shapes CNN reads [0, 1] pixels; one function, so the attack's graph is traced once


def _fgsm_reference(model, images, labels, epsilon):
    return dream.fgsm(SimpleNamespace(model=model, preprocess=_as_is), images, labels, epsilon)


class _Lazy:
    """The network that loader() builds, built on first call (importing the exercises stays quick), never copied."""

    def __init__(self, loader):
        self.loader = loader

    def __call__(self, x):
        if not hasattr(self, "network"):
            self.network = self.loader()
        return self.network(x)

    def __deepcopy__(self, memo):
        return self


_x, _y = shapes.make_shapes(6, seed=33)
q5 = Question(
    "q5", "The fast gradient sign method",
    cases=[
        Case(args=(_Lazy(_shapes_logits), _x, _y, 0.03), label="6 shapes, ε = 0.03"),
        Case(args=(_Lazy(_shapes_logits), _x, _y, 0.2), label="6 shapes, ε = 0.2: pixels must stay in [0, 1]"),
        Case(args=(_Lazy(_shapes_logits), _x[:1], _y[:1], 0.0), label="ε = 0: the image comes back unchanged"),
    ],
    reference=_fgsm_reference,
    compare=lambda result, expected: None if np.allclose(result, expected, atol=1e-4) and result.shape == expected.shape
    else "different pixels (did you step *up* the loss of the true labels, by ε times the sign?)",
    hint="Watch the images on a tf.GradientTape, compute tf.keras.losses.sparse_categorical_crossentropy(labels, "
         "model(images), from_logits=True), take its gradient with respect to the images, and add epsilon * "
         "tf.sign(gradient). Clip to [0, 1].",
    solution=fgsm,
)


# ---------------------------------------------------------------- q6: feature visualisation

def feature_visualisation(features, channel, size, steps, lr=0.05):
    params = tf.Variable(tf.zeros((1, size, size, 3)))  # the image is sigmoid(params): always in [0, 1]
    optimizer = tf.keras.optimizers.Adam(lr)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            score = tf.reduce_mean(features(tf.sigmoid(params))[..., channel])
        optimizer.apply_gradients([(-tape.gradient(score, params), params)])  # ascent: minus the gradient
    return tf.sigmoid(params)[0].numpy()


def _shapes_layer(layer):
    """One layer of the shapes CNN: images (B, H, W, 3) in [0, 1] -> (B, h, w, c)."""
    from creative_lib.backbones import load_backbone

    net = load_backbone("shapes", layers=[layer])
    return lambda images: net.features(images)[layer]


def _channel_mean(features, channel, image):
    return float(tf.reduce_mean(features(tf.convert_to_tensor(np.asarray(image, np.float32)[None]))[..., channel]))


@functools.cache
def _lesson_responses(features, channel, size, steps):
    """The filter's mean response on plain grey, and on the image the lesson's `visualise` makes in `steps` steps."""
    grey = _channel_mean(features, channel, np.full((size, size, 3), 0.5, np.float32))
    lesson, _ = dream.visualise(SimpleNamespace(model=lambda x: {"layer": features(x)}, preprocess=_as_is),
                                dream.channel_objective("layer", channel), size, steps, param="pixels", robust=False)
    return grey, _channel_mean(features, channel, lesson)


def _rises_like_the_lesson(result, case):
    features, channel, size, steps = case.args[:4]
    result = np.asarray(result)
    if result.shape != (size, size, 3):
        return f"expected one image of shape {(size, size, 3)}, got shape {result.shape}"
    if not np.all(np.isfinite(result)) or result.min() < 0 or result.max() > 1:
        return "the image must hold finite pixels in [0, 1] (make the image from the parameters with tf.sigmoid)"
    grey, target = _lesson_responses(features, channel, size, steps)
    reached = _channel_mean(features, channel, result)
    if reached < grey + 0.5 * (target - grey):
        return (f"the filter's mean response is {reached:.3f} on your image, {grey:.3f} on plain grey, and "
                f"{target:.3f} after the lesson's {steps} Adam steps: yours should reach at least halfway "
                f"({grey + 0.5 * (target - grey):.3f}). Did you step *up* the objective (minus the gradient for Adam)?")
    return None


q6 = Question(
    "q6", "Feature visualisation: what one filter wants to see",
    cases=[
        Case(args=(_Lazy(functools.partial(_shapes_layer, "conv2")), 5, 40, 40), label="shapes CNN conv2, channel 5, 40x40 pixels, 40 steps"),
        Case(args=(_Lazy(functools.partial(_shapes_layer, "conv3")), 17, 48, 40), label="shapes CNN conv3, channel 17, 48x48 pixels, 40 steps"),
    ],
    checker=_rises_like_the_lesson,
    hint="params = tf.Variable(tf.zeros((1, size, size, 3))); the image is tf.sigmoid(params). Then `steps` times: "
         "under a tf.GradientTape, score = tf.reduce_mean(features(image)[..., channel]); "
         "optimizer.apply_gradients([(-tape.gradient(score, params), params)]) with tf.keras.optimizers.Adam(lr) "
         "(minus: Adam descends). Return tf.sigmoid(params)[0].numpy().",
    solution=feature_visualisation,
)

"""Checked exercises of lesson 04 (neural style transfer).

    from creative_lib.exercises import ex04 as ex
    ex.q1.check(gram_matrix); ex.q1.hint(); ex.q1.solution()

Each answer is checked against the lesson's own code (creative_lib.style) on several cases; the
students may use NumPy or TensorFlow, and return either. q5 (the optimisation loop) is checked by
the loss it reaches against the lesson's adam on the same loss and budget.
"""
import functools

import numpy as np
import tensorflow as tf

from creative_lib import style
from creative_lib.backbones import load_backbone
from creative_lib.exercises.core import Case, Question, compare_close
from creative_lib.paintings import picture

_rng = np.random.default_rng(4)


def _features(*shape):
    return np.maximum(_rng.normal(size=shape), 0).astype(np.float32)  # ReLU feature maps: >= 0, many zeros


def _close(result, expected):
    """compare_close at float32 precision, after turning tensors into arrays."""
    return compare_close(np.asarray(result, np.float64), np.asarray(expected, np.float64), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- q1: the Gram matrix

def gram_matrix(features):
    b, h, w, n = features.shape
    flat = np.reshape(features, (b, h * w, n))
    return np.einsum("bmi,bmj->bij", flat, flat) / (h * w)


q1 = Question(
    "q1", "The Gram matrix, averaged over positions",
    cases=[
        Case(args=(_features(1, 4, 5, 3),), label="one image, 4x5 positions, 3 feature maps"),
        Case(args=(_features(2, 3, 3, 6),), label="a batch of 2 images: one Gram matrix each"),
        Case(args=(_features(1, 8, 2, 1),), label="a single feature map: G is its mean square"),
    ],
    reference=lambda f: style.gram_matrix(f).numpy(),
    compare=_close,
    hint="Reshape the features (B, h, w, N) to (B, M, N) with M = h*w positions; G = F^T F for each image "
         "(np.einsum('bmi,bmj->bij', F, F) or F.transpose(0, 2, 1) @ F), divided by M.",
    solution=gram_matrix,
)


# ---------------------------------------------------------------- q2: the content loss

def content_loss(features, target):
    return 0.5 * np.sum((features - target) ** 2, axis=(1, 2, 3))


q2 = Question(
    "q2", "The content loss at one layer",
    cases=[
        Case(args=(_features(1, 4, 4, 8), _features(1, 4, 4, 8)), label="one image"),
        Case(args=(_features(3, 2, 5, 4), _features(1, 2, 5, 4)), label="3 images against one photo's features"),
        Case(args=((f := _features(1, 3, 3, 2)), f.copy()), label="the photo itself: the loss is 0"),
    ],
    reference=lambda f, p: style.content_loss(f, p).numpy(),
    compare=_close,
    hint="Half the sum of squared differences over height, width and channels, one number per image: "
         "0.5 * np.sum((features - target) ** 2, axis=(1, 2, 3)).",
    solution=content_loss,
)


# ---------------------------------------------------------------- q3: the style loss over weighted layers

def style_loss(features, target_grams, weights):
    total = 0.0
    for name, w in weights.items():
        f = features[name]
        b, h, wd, n = f.shape
        flat = np.reshape(f, (b, h * wd, n))
        gram = np.einsum("bmi,bmj->bij", flat, flat) / (h * wd)
        total = total + w * np.sum((gram - target_grams[name]) ** 2, axis=(1, 2)) / (4.0 * n * n)
    return total


def _style_case(shapes_, weights, label, batch=1):
    feats = {f"layer{i}": _features(batch, *s) for i, s in enumerate(shapes_)}
    targets = {name: style.gram_matrix(_features(1, *s)).numpy() for name, s in zip(feats, shapes_)}
    return Case(args=(feats, targets, weights), label=label)


q3 = Question(
    "q3", "The normalised style loss over weighted layers",
    cases=[
        _style_case([(4, 4, 3)], {"layer0": 1.0}, "one layer, weight 1"),
        _style_case([(6, 6, 4), (3, 3, 16)], {"layer0": 0.5, "layer1": 0.5}, "two layers of different widths N"),
        _style_case([(5, 5, 2), (2, 2, 8), (4, 3, 4)], {"layer2": 2.0, "layer0": 0.25},
                    "three layers, only two of them weighted", batch=2),
    ],
    reference=lambda f, t, w: style.style_loss(f, t, w).numpy(),
    compare=_close,
    hint="For each (name, w) in weights.items(): the Gram matrix G of features[name] (your q1), then "
         "E = np.sum((G - target_grams[name]) ** 2, axis=(1, 2)) / (4 * N**2), N the number of feature maps; "
         "add up w * E. Layers without a weight do not count.",
    solution=style_loss,
)


# ---------------------------------------------------------------- q4: total variation

def total_variation(images):
    dx = images[:, :, 1:] - images[:, :, :-1]
    dy = images[:, 1:] - images[:, :-1]
    return np.sum(dx ** 2, axis=(1, 2, 3)) + np.sum(dy ** 2, axis=(1, 2, 3))


q4 = Question(
    "q4", "Total variation",
    cases=[
        Case(args=(_rng.uniform(0, 1, (1, 5, 7, 3)).astype(np.float32),), label="a 5x7 noise image"),
        Case(args=(np.full((2, 4, 4, 3), 0.3, np.float32),), label="flat images: no variation at all"),
        Case(args=(np.tile(np.arange(6, dtype=np.float32)[None, None, :, None] / 5, (1, 3, 1, 3)),),
             label="a horizontal ramp: only the horizontal differences count"),
    ],
    reference=lambda x: style.total_variation(x).numpy(),
    compare=_close,
    hint="Differences between horizontal neighbours are images[:, :, 1:] - images[:, :, :-1], between "
         "vertical ones images[:, 1:] - images[:, :-1]; square them and sum each over axes (1, 2, 3).",
    solution=total_variation,
)


# ---------------------------------------------------------------- q5: the optimisation loop on the pixels

STEPS = 40


@functools.cache
def _network_losses():
    """Two losses of the lesson on vgg16_hed, for 32x32 pictures: content at block2_conv2, texture at two layers."""
    net = load_backbone("vgg16_hed", layers=["block1_conv1", "block2_conv1", "block2_conv2"])
    photo, painting = picture("astronaut", max_side=32)[None], picture("starry", max_side=32)[None]
    return {"content": style.make_loss(net, photo, photo, "block2_conv2", {}, alpha=1.0, tv=1.0),
            "texture": style.make_loss(net, painting, painting, None, style.equal_weights(["block1_conv1", "block2_conv1"]),
                                       alpha=0.0)}


def _content_loss(images):
    """The content loss at block2_conv2 of a 32x32 astronaut, plus total variation: {"total": (B,), ...}."""
    return _network_losses()["content"](images)


def _texture_loss(images):
    """The style loss of a 32x32 painting at block1_conv1 and block2_conv1: {"total": (B,), ...}."""
    return _network_losses()["texture"](images)


_target = _rng.uniform(0, 1, (1, 24, 24, 3)).astype(np.float32)


def _pixel_loss(images):
    """Half the squared distance to a fixed picture, plus 0.1 x total variation: {"total": (B,)}."""
    images = tf.convert_to_tensor(images, tf.float32)
    return {"total": 0.5 * tf.reduce_sum(tf.square(images - _target), axis=[1, 2, 3]) + 0.1 * style.total_variation(images)}


def _total(loss, image):
    return float(loss(tf.constant(np.asarray(image, np.float32)))["total"][0])


@functools.cache
def _reference_total(loss, steps):
    """The loss that the lesson's adam (its default settings) reaches in `steps` steps from the case's start."""
    case = next(c for c in q5.cases if c.args[0] is loss)
    return style.adam(loss, case.args[1], steps)[1]["total"][-1]


def _paints_well(result, case):
    """None when the picture is a valid image whose loss fell at least 80 % as far as the lesson's adam's, else why not."""
    loss, init, steps = case.args
    image = np.asarray(result, np.float32)
    if image.shape != init.shape:
        return f"return the image itself, shaped like init {init.shape}; got shape {image.shape}"
    if not np.isfinite(image).all():
        return "the image holds NaN or infinite values: is the learning rate far too large?"
    if image.min() < 0 or image.max() > 1:
        return f"pixels must stay in [0, 1] (clip after every step); yours span {image.min():.3f} to {image.max():.3f}"
    start, mine, reference = _total(loss, init), _total(loss, image), _reference_total(loss, steps)
    if mine > reference + 0.2 * (start - reference):
        return (f"the loss went from {start:.4g} to {mine:.4g}; in {steps} steps the lesson's adam reaches "
                f"{reference:.4g}, and yours should fall at least 80 % as far (to {reference + 0.2 * (start - reference):.4g})")
    return None


def paint(loss, init, steps, learning_rate=0.05):
    image = tf.Variable(init, dtype=tf.float32)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            total = loss(image)["total"]
        optimizer.apply_gradients([(tape.gradient(total, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return image.numpy()


q5 = Question(
    "q5", "The optimisation loop: Adam on the pixels",
    cases=[
        Case(args=(_pixel_loss, np.full((1, 24, 24, 3), 0.5, np.float32), STEPS),
             label="no network: half the squared distance to a picture, plus total variation"),
        Case(args=(_content_loss, np.full((1, 32, 32, 3), 0.5, np.float32), STEPS),
             label="content reconstruction at block2_conv2 of vgg16_hed, from grey"),
        Case(args=(_texture_loss, _rng.uniform(0.4, 0.6, (1, 32, 32, 3)).astype(np.float32), STEPS),
             label="texture synthesis at block1_conv1 and block2_conv1, from grey with faint noise"),
    ],
    checker=_paints_well,
    hint="image = tf.Variable(init); optimizer = tf.keras.optimizers.Adam(0.05). Then `steps` times: under a "
         "tf.GradientTape, total = loss(image)['total']; grad = tape.gradient(total, image); "
         "optimizer.apply_gradients([(grad, image)]); image.assign(tf.clip_by_value(image, 0, 1)). Return image.numpy().",
    solution=paint,
)

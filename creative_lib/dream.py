# Generated from notebooks/03_deepdream.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/03_deepdream.ipynb 5
"""Lesson 03: change the pixels, not the weights: DeepDream, feature visualisation, adversarial examples.

Images are float32 RGB in [0, 1], (H, W, 3) or (1, H, W, 3). Every optimisation works in that
space and calls the backbone's preprocess inside the graph, so one code path serves every backbone.
"""
import math

import keras
import numpy as np
import tensorflow as tf
from skimage.color import rgb2gray
from skimage.filters import gaussian

from creative_lib.images import resize


# %% notebooks/03_deepdream.ipynb 9
def channel_objective(layer, channel):
    """activations {layer: (B, h, w, c)} -> (B,): the mean of one channel, one filter's response."""
    return lambda activations: tf.reduce_mean(activations[layer][..., channel], axis=(1, 2))


# %% notebooks/03_deepdream.ipynb 11
def random_transform(images, jitter=8, scale=0.05, degrees=10.0, rng=None):
    """Shift by up to `jitter` pixels, scale by 1 +- `scale`, rotate by up to +- `degrees`.

    (B, H, W, 3) -> (B, H, W, 3): a fresh random transform for every image at every call, borders
    reflected. rng: a tf.random.Generator, for transforms that repeat; None draws from TensorFlow's.
    """
    shape = tf.shape(images)
    h, w = tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
    uniform = rng.uniform if rng is not None else tf.random.uniform
    angle = uniform(shape[:1], -degrees, degrees) * math.pi / 180  # (B,)
    zoom = uniform(shape[:1], 1 - scale, 1 + scale)
    dy, dx = uniform(shape[:1], -jitter, jitter), uniform(shape[:1], -jitter, jitter)
    cos, sin = tf.cos(angle) / zoom, tf.sin(angle) / zoom
    # output pixel (x, y) reads the input at (a0 x + a1 y + a2, b0 x + b1 y + b2): turn and zoom about the centre
    cx, cy = (w - 1) / 2, (h - 1) / 2
    zero = tf.zeros_like(cos)
    transforms = tf.stack([cos, -sin, cx - cos * cx + sin * cy + dx,
                           sin, cos, cy - sin * cx - cos * cy + dy, zero, zero], axis=1)  # (B, 8)
    return keras.ops.image.affine_transform(images, transforms, interpolation="bilinear", fill_mode="reflect")


# %% notebooks/03_deepdream.ipynb 13
# the square root of ImageNet's RGB covariance, as measured for Lucid (Olah et al. 2017)
COLOUR_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], np.float32)
COLOUR_SQRT /= np.max(np.linalg.norm(COLOUR_SQRT, axis=0))


def fourier_scale(size, decay=1.0):
    """(size, size // 2 + 1): 1 / frequency ** decay, so that every frequency starts with equal energy."""
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    return (1.0 / np.maximum(np.hypot(fy, fx), 1.0 / size) ** decay).astype(np.float32)


def pixel_image(params):
    """The naive parameterisation: params (B, H, W, 3) are the pixels, squashed into [0, 1]."""
    return tf.sigmoid(params)


def fourier_image(params, scale):
    """The decorrelated Fourier parameterisation: params (B, 3, 2, S, S // 2 + 1) -> images (B, S, S, 3) in [0, 1].

    params hold the real and imaginary spectrum of each decorrelated colour channel; scale is
    fourier_scale(S).
    """
    spectrum = tf.complex(params[:, :, 0], params[:, :, 1]) * tf.cast(scale, tf.complex64)
    size = scale.shape[0]
    channels = tf.signal.irfft2d(spectrum, fft_length=[size, size])  # (B, 3, S, S)
    decorrelated = tf.transpose(channels, [0, 2, 3, 1]) * (size / 4.0)
    return tf.sigmoid(tf.einsum("bhwc,dc->bhwd", decorrelated, COLOUR_SQRT))


# %% notebooks/03_deepdream.ipynb 16
def visualise(backbone, objective, size=128, steps=256, param="fourier", robust=True, lr=0.05, seed=0):
    """Maximise objective(backbone's output) over an image made from parameters, with Adam.

    param: "pixels" or "fourier"; robust: random_transform before every step.
    Returns (image (size, size, 3) in [0, 1], the objective at each step).
    """
    rng = np.random.default_rng(seed)
    if param == "fourier":
        scale = fourier_scale(size)
        params = tf.Variable(rng.normal(0, 0.01, (1, 3, 2) + scale.shape).astype(np.float32))
        to_image = lambda p: fourier_image(p, scale)  # noqa: E731
    elif param == "pixels":
        params = tf.Variable(rng.normal(0, 0.01, (1, size, size, 3)).astype(np.float32))
        to_image = pixel_image
    else:
        raise ValueError(f"param must be 'pixels' or 'fourier', not {param!r}.")
    optimizer = keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            image = to_image(params)
            if robust:
                image = random_transform(image)
            score = tf.reduce_mean(objective(backbone.model(backbone.preprocess(image))))
        optimizer.apply_gradients([(-tape.gradient(score, params), params)])  # ascent: minus the gradient
        return score

    history = [float(step()) for _ in range(steps)]
    return to_image(params)[0].numpy(), history


# %% notebooks/03_deepdream.ipynb 18
def robustness(backbone, objective, image, transforms=16, seed=0):
    """image (H, W, 3) -> mean objective over `transforms` random transforms of it / the objective of the image.

    The same seed gives the same transforms, so different images are moved alike.
    """
    batch = tf.repeat(tf.convert_to_tensor(image[None], tf.float32), transforms, axis=0)
    moved = objective(backbone.model(backbone.preprocess(random_transform(batch, rng=tf.random.Generator.from_seed(seed)))))
    still = objective(backbone.model(backbone.preprocess(image[None])))
    return float(tf.reduce_mean(moved) / (still[0] + 1e-8))


def pattern_width(change):
    """(H, W, 3) -> the width, in pixels, of the patterns in an image (e.g. dream - photo).

    Twice the distance at which its autocorrelation (mean removed, radially averaged) falls to half:
    about 3.3 sigma for a Gaussian blob.
    """
    change = np.asarray(change, np.float32)
    power = (np.abs(np.fft.fft2(change - change.mean((0, 1)), axes=(0, 1))) ** 2).sum(-1)
    auto = np.fft.fftshift(np.fft.ifft2(power).real)  # the circular autocorrelation, its peak at the centre
    rows, cols = np.indices(auto.shape)
    radius = np.hypot(rows - auto.shape[0] // 2, cols - auto.shape[1] // 2).round().astype(int)
    profile = np.bincount(radius.ravel(), auto.ravel()) / np.bincount(radius.ravel())
    profile = profile / profile[0]
    r = int(np.argmax(profile < 0.5))  # the first radius below half, then linear interpolation
    return float(2 * (r - 1 + (profile[r - 1] - 0.5) / (profile[r - 1] - profile[r])))


def high_frequency_share(image):
    """(H, W, 3) -> the share of the image's spectral energy (mean removed) above half the Nyquist frequency."""
    gray = rgb2gray(image)
    power = np.abs(np.fft.fft2(gray - gray.mean())) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(gray.shape[0]), np.fft.fftfreq(gray.shape[1]), indexing="ij")
    return float(power[np.hypot(fy, fx) > 0.25].sum() / (power.sum() + 1e-12))


# %% notebooks/03_deepdream.ipynb 21
def receptive_field(backbone, layer, size=256, seed=0):
    """The side, in input pixels, of the square the centre unit of `layer` depends on (at most `size`).

    Measured: where d (the centre unit, summed over channels) / d image is not 0, on a random size x size image.
    """
    image = tf.constant(np.random.default_rng(seed).uniform(0, 1, (1, size, size, 3)).astype(np.float32))
    net = backbone.select([layer])
    with tf.GradientTape() as tape:
        tape.watch(image)
        activations = net.model(net.preprocess(image))[layer]
        centre = tf.reduce_sum(activations[0, activations.shape[1] // 2, activations.shape[2] // 2])
    rows, cols = np.nonzero(np.abs(tape.gradient(centre, image).numpy()[0]).sum(-1))
    return int(max(rows.max() - rows.min(), cols.max() - cols.min()) + 1)


def dataset_examples(backbone, layer, channel, photos, crop, count=4, per_photo=64):
    """The `count` square crops of `photos` that excite one filter most (Distill's "dataset examples").

    photos: {name: (H, W, 3)}, each at least crop x crop. A crop of side `crop` is centred on each of the
    `per_photo` strongest units of the channel's map; crops of one photo may not overlap.
    Returns [(photo name, response, (crop, crop, 3))], strongest first.
    """
    candidates = []
    for name, photo in photos.items():
        response = np.asarray(backbone.features(photo[None])[layer])[0, ..., channel]  # (h, w)
        (h, w), (ph, pw) = response.shape, photo.shape[:2]
        for i, j in zip(*np.unravel_index(np.argsort(response, axis=None)[::-1][:per_photo], response.shape)):
            top = int(np.clip((i + 0.5) * ph / h - crop / 2, 0, ph - crop))
            left = int(np.clip((j + 0.5) * pw / w - crop / 2, 0, pw - crop))
            candidates.append((float(response[i, j]), name, top, left))
    chosen = []
    for score, name, top, left in sorted(candidates, key=lambda c: -c[0]):
        if all(n != name or max(abs(top - t), abs(left - l)) >= crop for _, n, t, l in chosen):
            chosen.append((score, name, top, left))
    return [(name, score, photos[name][top:top + crop, left:left + crop]) for score, name, top, left in chosen[:count]]


# %% notebooks/03_deepdream.ipynb 30
def dream_loss(activations, weights):
    """sum over layers of weight * mean activation: {layer: (B, h, w, c)}, {layer: float} -> scalar."""
    return tf.add_n([float(w) * tf.reduce_mean(activations[name]) for name, w in weights.items()])


# %% notebooks/03_deepdream.ipynb 32
def normalised_step(image, grad, step_size):
    """image + step_size * grad / std(grad), clipped to [0, 1]: (..., H, W, 3) -> (..., H, W, 3)."""
    grad = grad / (tf.math.reduce_std(grad) + 1e-8)
    return tf.clip_by_value(image + step_size * grad, 0.0, 1.0)


# %% notebooks/03_deepdream.ipynb 34
class Dreamer:
    """DeepDream's gradient ascent for a backbone and {layer: weight}.

    dreamer.gradient(image) -> (loss, d loss / d image); dreamer.ascend(image, steps, step_size)
    -> (loss, dreamed image); images (1, H, W, 3) in [0, 1].
    """

    def __init__(self, backbone, weights):
        self.weights = {name: float(w) for name, w in weights.items() if w}
        if not self.weights:
            raise ValueError("Give at least one layer a weight other than 0.")
        self.backbone = backbone.select(self.weights)  # raises, listing the valid layers, for an unknown name

    @tf.function(reduce_retracing=True)
    def gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            loss = dream_loss(self.backbone.model(self.backbone.preprocess(image)), self.weights)
        return loss, tape.gradient(loss, image)

    # One trace for every image size, step count and step size: they arrive as tensors of these shapes.
    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.float32)])
    def ascend(self, image, steps, step_size):
        loss = tf.constant(0.0)
        for _ in tf.range(steps):
            loss, grad = self.gradient(image)
            image = normalised_step(image, grad, step_size)
        return loss, image


# %% notebooks/03_deepdream.ipynb 37
def octave_sizes(shape, octaves, scale, min_side=1):
    """The (h, w) of each octave, smallest first; the last is `shape` itself.

    Octaves whose shorter side would fall below `min_side` (what the network accepts) are left out;
    an image that is itself too small is refused.
    """
    h, w = shape
    if min(h, w) < min_side:
        raise ValueError(f"The image is {w}x{h} pixels; this network needs at least {min_side} on the shorter side.")
    sizes = [(round(h / scale ** k), round(w / scale ** k)) for k in reversed(range(octaves))]
    return [size for size in sizes if min(size) >= min_side]


def next_octave(dream, photo, previous, size, reinject=True):
    """Enlarge the dream (1, h, w, 3) to `size`; with `reinject`, add the photo's detail lost at that scale.

    lost detail = photo at `size` - (photo at `previous`, enlarged to `size`); photo (1, H, W, 3).
    """
    dream = resize(dream, size)
    if reinject:
        dream = dream + resize(photo, size) - resize(resize(photo, previous), size)
    return tf.clip_by_value(dream, 0.0, 1.0)


# %% notebooks/03_deepdream.ipynb 40
def dream_octaves(dreamer, image, octaves=3, scale=1.4, steps=20, step_size=0.01, reinject=True,
                  tile=None, every=None, on_step=None, seed=0):
    """DeepDream from small to large scale: (H, W, 3) in [0, 1] -> (H, W, 3) dreamed.

    steps: per octave (an int, or one int per octave; octaves too small for the network are
    skipped, with their steps). tile: above this size (pixels), tiled gradients, rolled by
    offsets drawn from `seed`. on_step(octave, image) is called every `every` steps and after each octave.
    """
    photo = tf.convert_to_tensor(np.asarray(image, np.float32)[None])
    min_side = dreamer.backbone.spec.min_side
    if tile and tile < 2 * min_side:
        raise ValueError(f"Tiles of {tile} pixels can leave pieces under {min_side}, the least this network takes; "
                         f"use tile >= {2 * min_side}.")
    sizes = octave_sizes(photo.shape[1:3], octaves, scale, min_side)
    rng = np.random.default_rng(seed)
    per_octave = ([int(steps)] * octaves if np.ndim(steps) == 0 else [int(s) for s in steps])[-len(sizes):]
    dream = resize(photo, sizes[0])
    for k, size in enumerate(sizes):
        if k:
            dream = next_octave(dream, photo, sizes[k - 1], size, reinject)
        done = 0
        while done < per_octave[k]:
            n = min(every or per_octave[k], per_octave[k] - done)
            if tile and max(size) > tile:
                for _ in range(n):
                    dream = tiled_step(dreamer, dream, step_size, tile, rng)
            else:
                _, dream = dreamer.ascend(dream, tf.constant(n), tf.constant(step_size))
            done += n
            if on_step:
                on_step(k, dream[0].numpy())
    return dream[0].numpy()


# %% notebooks/03_deepdream.ipynb 42
def fine_detail(image, sigma=1.0):
    """(H, W, 3) -> (H, W): the gray image minus its Gaussian blur (what a slight blur would remove)."""
    gray = rgb2gray(image)
    return gray - gaussian(gray, sigma)


def detail_kept(photo, image):
    """The correlation of the photo's fine detail with the image's: 1 = all kept, 0 = none."""
    return float(np.corrcoef(fine_detail(photo).ravel(), fine_detail(image).ravel())[0, 1])


# %% notebooks/03_deepdream.ipynb 47
def tile_edges(n, tile):
    """The edges of ceil(n / tile) nearly equal pieces of range(n): an int array of length count + 1."""
    count = max(1, math.ceil(n / tile))
    return np.linspace(0, n, count + 1).round().astype(int)


def tiled_gradient(dreamer, image, tile, rng):
    """d loss / d image, tile by tile, on the image rolled by a random offset: (1, H, W, 3) -> (1, H, W, 3).

    Memory is bounded by one tile, whatever the image size.
    """
    shift = rng.integers(0, tile, size=2)
    rolled = tf.roll(image, shift=shift, axis=(1, 2))
    rows, cols = (tile_edges(n, tile) for n in image.shape[1:3])
    grad = np.zeros(image.shape, np.float32)
    for y0, y1 in zip(rows[:-1], rows[1:]):
        for x0, x1 in zip(cols[:-1], cols[1:]):
            grad[:, y0:y1, x0:x1] = dreamer.gradient(rolled[:, y0:y1, x0:x1])[1].numpy()
    return tf.roll(grad, shift=-shift, axis=(1, 2))


def roll_offsets(seed, count, tile):
    """The (dy, dx) rolls of the first `count` tiled steps of dream_octaves(..., seed=seed): (count, 2).

    dream_octaves draws them from np.random.default_rng(seed), one tiled_gradient call after another.
    """
    rng = np.random.default_rng(seed)
    return np.array([rng.integers(0, tile, size=2) for _ in range(count)]).reshape(count, 2)


def tiled_step(dreamer, image, step_size, tile, rng):
    """One normalised ascent step with a tiled gradient rolled by rng's offsets: (1, H, W, 3) -> (1, H, W, 3)."""
    return normalised_step(image, tiled_gradient(dreamer, image, tile, rng), step_size)


# %% notebooks/03_deepdream.ipynb 56
@tf.function(reduce_retracing=True)
def loss_gradient_sign(model, preprocess, images, labels):
    """sign(d cross-entropy / d images): (B, H, W, 3) in [0, 1], (B,) labels -> (B, H, W, 3) in {-1, 0, 1}."""
    with tf.GradientTape() as tape:
        tape.watch(images)
        logits = model(preprocess(images))
        loss = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    return tf.sign(tape.gradient(loss, images))


def attack_direction(classifier, images, labels):
    """sign(d loss / d images) for a classifier (a Backbone whose model gives logits): (B, H, W, 3) -> (B, H, W, 3)."""
    images = tf.convert_to_tensor(images, tf.float32)
    return loss_gradient_sign(classifier.model, classifier.preprocess, images, tf.convert_to_tensor(labels)).numpy()


def fgsm(classifier, images, labels, epsilon, direction=None):
    """The fast gradient sign method: images + epsilon * sign(gradient), kept in [0, 1]: (B, H, W, 3) -> (B, H, W, 3).

    direction: attack_direction(classifier, images, labels), when it is already known.
    """
    direction = attack_direction(classifier, images, labels) if direction is None else direction
    return np.clip(np.asarray(images, np.float32) + epsilon * direction, 0.0, 1.0)


def predict(classifier, images, batch=256):
    """(B, H, W, 3) in [0, 1] -> (B,) the predicted classes."""
    return np.concatenate([np.argmax(classifier.model(classifier.preprocess(images[i:i + batch])), -1)
                           for i in range(0, len(images), batch)])


def accuracy_under_attack(classifier, images, labels, epsilons):
    """The accuracy on fgsm(images, epsilon) for each epsilon: a list as long as `epsilons`.

    The sign of the gradient does not depend on epsilon, so it is computed once.
    """
    direction = attack_direction(classifier, images, labels)
    return [float(np.mean(predict(classifier, fgsm(classifier, images, labels, eps, direction)) == labels))
            for eps in epsilons]


def flip_epsilon(classifier, images, labels, epsilons):
    """(B,): for each image the smallest epsilon in `epsilons` whose FGSM image is misclassified; inf if none.

    An image already misclassified gets the smallest epsilon of the grid (0, if the grid holds it).
    """
    direction = attack_direction(classifier, images, labels)
    found = np.full(len(images), np.inf)
    for eps in sorted(epsilons):
        wrong = predict(classifier, fgsm(classifier, images, labels, eps, direction)) != labels
        found[wrong & np.isinf(found)] = eps
    return found

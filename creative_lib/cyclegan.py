# Generated from notebooks/06_cyclegan_defogging.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/06_cyclegan_defogging.ipynb 5
"""Lesson 06: haze (Koschmieder), the dark channel prior (He et al. 2009), CycleGAN (Zhu et al. 2017)
and pix2pix (Isola et al. 2017).

Photos are float32 (H, W, 3) in [0, 1]; the networks see batches (B, H, W, 3) in [-1, 1].
Depth maps are (H, W) in metres.
"""
import keras
import numpy as np
import scipy.ndimage
import tensorflow as tf
from keras import layers


# %% notebooks/06_cyclegan_defogging.ipynb 7
def transmission(depth, beta):
    """t = exp(-beta d): the share of the scene's light that reaches the camera, (H, W) -> (H, W)."""
    return np.exp(-np.asarray(beta, np.float32) * depth).astype(np.float32)


def smooth_field(shape, rng, scale=0.15):
    """A smooth random field of mean 0 in [-1, 1], (h, w): white noise blurred over `scale` of the longer side."""
    field = scipy.ndimage.gaussian_filter(rng.standard_normal(shape), sigma=scale * max(shape))
    field -= field.mean()
    return (field / (np.abs(field).max() + 1e-12)).astype(np.float32)


def add_fog(clear, depth, beta, airlight=0.9, unevenness=0.0, rng=None):
    """I = J t + A (1 - t): a clear photo (H, W, 3) with depth (H, W) in metres -> the foggy photo (H, W, 3).

    beta: density per metre; airlight: a grey level or an RGB triple; unevenness in [0, 1) lets beta
    vary by up to that share across the picture, around the same mean (a smooth field drawn from rng).
    """
    if unevenness:
        beta = beta * (1.0 + unevenness * smooth_field(depth.shape, rng))
    t = transmission(depth, beta)[..., None]
    airlight = np.broadcast_to(np.asarray(airlight, np.float32), (3,))
    return (clear * t + airlight * (1.0 - t)).astype(np.float32)


# %% notebooks/06_cyclegan_defogging.ipynb 9
def depth_from_disparity(disparity, focal_px, baseline_mm, doffs_px):
    """Metres from a disparity map (H, W) in pixels; unmatched pixels (inf or NaN) take their nearest match's depth."""
    depth = focal_px * baseline_mm / 1000.0 / (disparity + doffs_px)
    unknown = ~np.isfinite(disparity)
    if unknown.any():
        nearest = scipy.ndimage.distance_transform_edt(unknown, return_distances=False, return_indices=True)
        depth = depth[tuple(nearest)]
    return depth.astype(np.float32)


def ground_depth(height, width, near=30.0, far=100.0):
    """Flat ground seen from a level camera: 1/depth linear from 1/near (bottom row) to 1/far (top row), (H, W) metres."""
    up = np.linspace(0.0, 1.0, height, dtype=np.float32)[::-1, None]  # 0 at the bottom row, 1 at the top
    inverse = (1.0 - up) / near + up / far
    return np.broadcast_to(1.0 / inverse, (height, width)).astype(np.float32)


# %% notebooks/06_cyclegan_defogging.ipynb 11
def fog_at(clear, depth, density, airlight=0.85, unevenness=0.0, rng=None):
    """Fog of a given density (the optical depth at the photo's median depth) on a photo (H, W, 3) with its depth (H, W)."""
    return add_fog(clear, depth, density / np.median(depth), airlight, unevenness, rng)


# %% notebooks/06_cyclegan_defogging.ipynb 16
def random_fog(clear, depth, rng, densities=(0.5, 1.5), airlights=(0.75, 0.95), tint=0.03, unevenness=0.5):
    """A random fog for one photo: density, greyish airlight (a small random tint) and unevenness drawn from rng."""
    airlight = rng.uniform(*airlights) + rng.uniform(-tint, tint, 3)
    beta = rng.uniform(*densities) / np.median(depth)
    return add_fog(clear, depth, beta, airlight, rng.uniform(0.0, unevenness), rng)


# %% notebooks/06_cyclegan_defogging.ipynb 20
class ReflectionPadding(layers.Layer):
    """Pad height and width by `pad` pixels, mirroring the border: (B, H, W, C) -> (B, H + 2 pad, W + 2 pad, C)."""

    def __init__(self, pad, **kwargs):
        super().__init__(**kwargs)
        self.pad = pad

    def call(self, x):
        p = self.pad
        return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def get_config(self):
        return {**super().get_config(), "pad": self.pad}


def instance_norm():
    """Normalise each image's every channel by its own mean and variance (one group per channel)."""
    return layers.GroupNormalization(groups=-1, epsilon=1e-5)


def conv_norm_relu(x, filters, kernel, strides=1):
    """A convolution (reflection-padded when it keeps the size), instance norm, ReLU."""
    if strides == 1:
        x = layers.Conv2D(filters, kernel, use_bias=False)(ReflectionPadding(kernel // 2)(x))
    else:
        x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    return layers.ReLU()(instance_norm()(x))


def residual_block(x):
    """x + norm(conv(relu(norm(conv(x))))): two 3x3 convolutions that keep the shape."""
    y = conv_norm_relu(x, x.shape[-1], 3)
    y = instance_norm()(layers.Conv2D(x.shape[-1], 3, use_bias=False)(ReflectionPadding(1)(y)))
    return layers.Add()([x, y])


def build_generator(filters=16, blocks=3, name="generator"):
    """ResNet generator: (B, H, W, 3) in [-1, 1] -> the same shape; H and W multiples of 4."""
    image = keras.Input((None, None, 3))
    x = conv_norm_relu(image, filters, 7)
    x = conv_norm_relu(x, 2 * filters, 3, strides=2)
    x = conv_norm_relu(x, 4 * filters, 3, strides=2)
    for _ in range(blocks):
        x = residual_block(x)
    for f in (2 * filters, filters):
        x = layers.Conv2DTranspose(f, 3, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(instance_norm()(x))
    x = layers.Conv2D(3, 7, activation="tanh")(ReflectionPadding(3)(x))
    return keras.Model(image, x, name=name)


# %% notebooks/06_cyclegan_defogging.ipynb 24
def down(x, filters, norm=True):
    """4x4 convolution of stride 2, instance norm, LeakyReLU 0.2: halves H and W."""
    x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not norm)(x)
    return layers.LeakyReLU(0.2)(instance_norm()(x) if norm else x)


def up(x, skip, filters, dropout=False):
    """4x4 transposed convolution of stride 2, instance norm, (dropout), ReLU, then the encoder's maps alongside."""
    x = instance_norm()(layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x))
    x = layers.ReLU()(layers.Dropout(0.5)(x) if dropout else x)
    return layers.Concatenate()([x, skip])


def build_unet(filters=16, depth=4, name="unet"):
    """pix2pix's U-Net: (B, H, W, 3) in [-1, 1] -> the same shape; H and W multiples of 2**depth."""
    image = keras.Input((None, None, 3))
    skips, x = [], image
    for level in range(depth):
        x = down(x, filters * min(2 ** level, 8), norm=level > 0)
        skips.append(x)
    for level in reversed(range(depth - 1)):
        x = up(x, skips[level], filters * min(2 ** level, 8), dropout=level >= depth - 3)
    x = layers.Conv2DTranspose(3, 4, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(image, x, name=name)


# %% notebooks/06_cyclegan_defogging.ipynb 27
def build_discriminator(filters=16, channels=3, name="discriminator"):
    """70x70 PatchGAN: (B, H, W, channels) -> (B, H/8, W/8, 1) logits, one per 70x70 patch."""
    image = keras.Input((None, None, channels))
    x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 4, strides=2, padding="same")(image))
    for multiple, strides in ((2, 2), (4, 2), (8, 1)):
        x = layers.Conv2D(multiple * filters, 4, strides=strides, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU(0.2)(instance_norm()(x))
    return keras.Model(image, layers.Conv2D(1, 4, padding="same")(x), name=name)


# %% notebooks/06_cyclegan_defogging.ipynb 31
def lsgan_discriminator_loss(real_logits, fake_logits):
    """1/2 [mean (D(real) - 1)^2 + mean D(fake)^2]: least squares, real -> 1, fake -> 0."""
    return 0.5 * (tf.reduce_mean(tf.square(real_logits - 1.0)) + tf.reduce_mean(tf.square(fake_logits)))


def lsgan_generator_loss(fake_logits):
    """mean (D(fake) - 1)^2: the generator wants its images judged real."""
    return tf.reduce_mean(tf.square(fake_logits - 1.0))


def cycle_loss(real, cycled):
    """mean |real - cycled|: an image sent there and back must come home (L1)."""
    return tf.reduce_mean(tf.abs(real - cycled))


def identity_loss(real, same):
    """mean |real - same|: an image already in the target domain must pass unchanged (L1)."""
    return tf.reduce_mean(tf.abs(real - same))


# %% notebooks/06_cyclegan_defogging.ipynb 33
class ImagePool(tf.Module):
    """The last `size` generated images; query(batch) returns, for each image, itself or (half the time) an old one."""

    def __init__(self, size, image_shape, seed=0):
        super().__init__()
        self.size = size
        self.images = tf.Variable(tf.zeros((size, *image_shape)), trainable=False)
        self.stored = tf.Variable(0, trainable=False)
        self.rng = tf.random.Generator.from_seed(seed)

    def query(self, batch):
        """batch (B, h, w, 3) -> (B, h, w, 3): fill the pool first; once full, swap each image for an old one with p = 1/2."""
        out = []
        for image in batch:
            if self.stored < self.size:
                self.images[self.stored].assign(image)
                self.stored.assign_add(1)
                out.append(image)
            elif self.rng.uniform(()) < 0.5:
                k = self.rng.uniform((), 0, self.size, dtype=tf.int32)
                out.append(tf.identity(self.images[k]))
                self.images[k].assign(image)
            else:
                out.append(image)
        return tf.stack(out)


class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """rate for the first half of `steps`, then linearly down to 0 at `steps`."""

    def __init__(self, rate, steps):
        self.rate, self.steps = rate, steps

    def __call__(self, step):
        left = 1.0 - tf.cast(step, tf.float32) / self.steps
        return self.rate * tf.clip_by_value(2.0 * left, 0.0, 1.0)

    def get_config(self):
        return {"rate": self.rate, "steps": self.steps}


def cyclegan_optimizer(steps, rate=2e-4):
    """The paper's Adam (beta_1 = 0.5) with the rate constant, then decaying to 0 over the second half."""
    return keras.optimizers.Adam(LinearDecay(rate, steps), beta_1=0.5)


# %% notebooks/06_cyclegan_defogging.ipynb 35
def make_cyclegan_step(G, F, D_Y, D_X, g_opt, d_opt, pool_x, pool_y, lam=10.0):
    """step((x foggy, y clear)) -> the four losses; x, y (B, h, w, 3) in [-1, 1]."""

    @tf.function
    def generator_step(x, y):
        with tf.GradientTape() as tape:
            fake_y, fake_x = G(x, training=True), F(y, training=True)
            cycled_x, cycled_y = F(fake_y, training=True), G(fake_x, training=True)
            adversarial = lsgan_generator_loss(D_Y(fake_y)) + lsgan_generator_loss(D_X(fake_x))
            cycle = cycle_loss(x, cycled_x) + cycle_loss(y, cycled_y)
            identity = identity_loss(y, G(y, training=True)) + identity_loss(x, F(x, training=True))
            total = adversarial + lam * cycle + 0.5 * lam * identity
        variables = G.trainable_variables + F.trainable_variables
        g_opt.apply_gradients(zip(tape.gradient(total, variables), variables))
        return fake_x, fake_y, adversarial, cycle, identity

    @tf.function
    def discriminator_step(x, y, fake_x, fake_y):
        with tf.GradientTape() as tape:
            loss = lsgan_discriminator_loss(D_Y(y), D_Y(fake_y)) + lsgan_discriminator_loss(D_X(x), D_X(fake_x))
        variables = D_Y.trainable_variables + D_X.trainable_variables
        d_opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def step(batch):
        x, y = batch
        fake_x, fake_y, adversarial, cycle, identity = generator_step(x, y)
        d_loss = discriminator_step(x, y, pool_x.query(fake_x), pool_y.query(fake_y))
        return {"generators (adversarial)": adversarial, "cycle": cycle, "identity": identity, "discriminators": d_loss}

    return step


# %% notebooks/06_cyclegan_defogging.ipynb 37
def to_network(image):
    """[0, 1] -> [-1, 1]."""
    return np.asarray(image, np.float32) * 2.0 - 1.0


def from_network(image):
    """[-1, 1] -> [0, 1], clipped."""
    return np.clip((np.asarray(image) + 1.0) / 2.0, 0.0, 1.0)


def translate(generator, image, multiple=16):
    """A photo (H, W, 3) in [0, 1] through a generator, padded to a multiple of its stride and cropped back.

    multiple: 16 for the U-Net of 4 levels (2 ** 4); the ResNet generator needs 4, which 16 also is.
    """
    h, w = image.shape[:2]
    padded = np.pad(to_network(image), ((0, -h % multiple), (0, -w % multiple), (0, 0)), mode="reflect")
    return from_network(generator(padded[None], training=False)[0])[:h, :w]


# %% notebooks/06_cyclegan_defogging.ipynb 44
def make_pix2pix_step(generator, discriminator, g_opt, d_opt, l1_weight=100.0):
    """step((x foggy, y clear)) -> losses, for paired batches (B, h, w, 3) in [-1, 1]; the log loss, as in the paper."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(batch):
        x, y = batch
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(x, training=True)
            real_logits = discriminator(tf.concat([x, y], -1), training=True)
            fake_logits = discriminator(tf.concat([x, fake], -1), training=True)
            adversarial = bce(tf.ones_like(fake_logits), fake_logits)
            l1 = tf.reduce_mean(tf.abs(y - fake))
            g_loss = adversarial + l1_weight * l1
            d_loss = 0.5 * (bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables))
        return {"generator (adversarial)": adversarial, "L1": l1, "discriminator": d_loss}

    return step


# %% notebooks/06_cyclegan_defogging.ipynb 47
def dark_channel(image, patch):
    """min over colours and over a patch x patch window: (H, W, 3) -> (H, W)."""
    return scipy.ndimage.minimum_filter(image.min(axis=2), size=patch, mode="nearest")


def estimate_airlight(image, dark, share=0.001):
    """The brightest input pixel (by its sum) among the `share` of pixels whose dark channel is brightest: (3,)."""
    n = max(1, int(dark.size * share))
    candidates = image.reshape(-1, 3)[np.argsort(dark.ravel())[-n:]]
    return candidates[np.argmax(candidates.sum(axis=1))]


def box_mean(x, radius):
    """Mean over a (2 radius + 1)^2 window at every pixel, (H, W) -> (H, W)."""
    return scipy.ndimage.uniform_filter(x, size=2 * radius + 1, mode="reflect")


def guided_filter(guide, source, radius, eps):
    """He et al. 2010: source (H, W) smoothed so that its edges follow guide (H, W); q = a guide + b in every window."""
    mean_g, mean_s = box_mean(guide, radius), box_mean(source, radius)
    a = (box_mean(guide * source, radius) - mean_g * mean_s) / (box_mean(guide * guide, radius) - mean_g ** 2 + eps)
    b = mean_s - a * mean_g
    return box_mean(a, radius) * guide + box_mean(b, radius)


def dcp_patch(shape):
    """The paper's 15 px patch at 600 px, scaled to a photo of shape (H, W, ...): an odd size, at least 3."""
    return max(3, round(15 * max(shape[:2]) / 600) | 1)


def dehaze_dark_channel(image, omega=0.95, t_min=0.1, eps=1e-3):
    """The dark channel prior with guided-filter refinement: a foggy photo (H, W, 3) in [0, 1] -> (clear, t, A).

    The patch (15 px) and the filter radius (4 patches) are the paper's at 600 px, scaled to the photo.
    """
    patch = dcp_patch(image.shape)
    airlight = estimate_airlight(image, dark_channel(image, patch))
    rough = 1.0 - omega * dark_channel(image / np.maximum(airlight, 1e-6), patch)
    t = np.clip(guided_filter(image.mean(axis=2), rough, 4 * patch, eps), 0.0, 1.0)
    clear = (image - airlight) / np.maximum(t, t_min)[..., None] + airlight
    return np.clip(clear, 0.0, 1.0).astype(np.float32), t, airlight


# %% notebooks/06_cyclegan_defogging.ipynb 56
def blend_window(height, width, overlap):
    """Weights (height, width, 1): 1 inside, ramping linearly down over `overlap` pixels at each edge."""
    ramp = lambda n: np.minimum(1.0, np.minimum(np.arange(1, n + 1), np.arange(n, 0, -1)) / (overlap + 1))  # noqa: E731
    return np.outer(ramp(height), ramp(width)).astype(np.float32)[..., None]


def translate_tiled(generator, image, tile=256, overlap=32, multiple=16):
    """A photo (H, W, 3) of any size through a generator, tile by tile, overlaps blended: (H, W, 3) in [0, 1].

    Each tile is at most tile x tile pixels, so memory is bounded by one tile.
    """
    h, w = image.shape[:2]
    total, weight = np.zeros((h, w, 3), np.float32), np.zeros((h, w, 1), np.float32)
    stride = tile - overlap
    for top in range(0, max(h - overlap, 1), stride):
        for left in range(0, max(w - overlap, 1), stride):
            bottom, right = min(top + tile, h), min(left + tile, w)
            window = blend_window(bottom - top, right - left, overlap)
            total[top:bottom, left:right] += window * translate(generator, image[top:bottom, left:right], multiple)
            weight[top:bottom, left:right] += window
    return total / weight

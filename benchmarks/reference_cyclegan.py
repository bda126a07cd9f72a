"""The TensorFlow CycleGAN tutorial's networks, losses and training step, rebuilt from its description (lesson 06).

The tutorial (tensorflow.org/tutorials/generative/cyclegan) takes both generators and both
discriminators from pix2pix (tensorflow_examples.models.pix2pix, norm_type='instancenorm'):

- generator: pix2pix's U-Net. Downsamples are 4x4 convolutions of stride 2 without bias, instance
  norm (none on the first) and LeakyReLU (Keras' default slope, 0.3), to 64-128-256-512-512-512-512-512
  channels; upsamples are 4x4 transposed convolutions of stride 2 without bias, instance norm,
  dropout 0.5 (the first three only) and ReLU, each followed by the matching downsample's maps
  (skip connections); a last 4x4 transposed convolution of stride 2 to 3 channels, tanh.
- discriminator: pix2pix's PatchGAN without a target image: downsamples to 64 (no norm), 128 and
  256 channels, zero padding, a 4x4 convolution to 512 of stride 1, instance norm, LeakyReLU,
  zero padding, a 4x4 convolution to 1 logit per patch.
- losses: binary cross-entropy on logits; each discriminator's loss (real -> 1, fake -> 0) is
  halved; each generator's is its adversarial loss plus the cycle loss of both directions
  (LAMBDA = 10 times the mean L1) plus its identity loss (0.5 LAMBDA times the mean L1).
- training: four Adam optimizers (2e-4, beta_1 0.5, no decay), batches of one, no image pool; all
  four networks updated together from one persistent tape; random jitter on every training
  image (resized to 286 by nearest neighbour, randomly cropped to 256, mirrored half the time).
  All weights start from N(0, 0.02); instance norm's scale from N(1, 0.02), its offset at 0.

Adapted to the lesson's 64 x 64 crops (the tutorial trains at 256 x 256): its U-Net halves the
image eight times, down to 1 x 1; 64 px can be halved only six times. We keep what the U-Net is
(every level at the tutorial's own width, the bottleneck at 1 x 1, dropout on the first three
upsamples, which are the tutorial's 2 x 2, 4 x 4 and 8 x 8 levels at 64 px as at 256 px) and drop
two of its five 512-wide levels: downsamples 64-128-256-512-512-512, upsamples 512-512-256-128-64,
29.2 million parameters a generator against the tutorial's 54.4 million. Shrinking the widths
instead would change the network into a different, smaller one, which is the lesson's choice to
race, not the tutorial's. The discriminator fits 64 px as it is (6 x 6 patches instead of 30 x 30).
The jitter scales with the crop: resized to 72 (286/256 of 64, rounded), cropped back to 64.
Instance norm is keras.layers.GroupNormalization(groups=-1), which learns a scale and an offset
per channel as the tutorial's InstanceNormalization does.

    G, F = tutorial_generator(), tutorial_generator()       # G: foggy -> clear, F: clear -> foggy
    D_X, D_Y = tutorial_discriminator(), tutorial_discriminator()
    optimizers = [tutorial_optimizer() for _ in range(4)]  # G, F, D_X, D_Y
    step = tutorial_train_step(G, F, D_X, D_Y, *optimizers)
    losses = step(x, y)                                    # x foggy, y clear: (1, 64, 64, 3) in [-1, 1]
"""
import keras
import tensorflow as tf
from keras import layers

TUTORIAL_SIDE, TUTORIAL_JITTER = 256, 286  # the tutorial's crop and the size it resizes to before cropping
TUTORIAL_DOWN = (64, 128, 256, 512, 512, 512, 512, 512)  # the U-Net's downsamples at 256 px, to 1 x 1
TUTORIAL_DROPOUT = 3  # upsamples with dropout, the first ones
LAMBDA = 10.0


def levels(side):
    """How many times the U-Net can halve a side of `side` pixels (a power of two): 8 at 256 px, 6 at 64 px."""
    return side.bit_length() - 1


def _weights():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _instance_norm():
    scale = keras.initializers.RandomNormal(1.0, 0.02)
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, gamma_initializer=scale)


def _down(x, filters, norm=True):
    x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_weights())(x)
    return layers.LeakyReLU(0.3)(_instance_norm()(x) if norm else x)


def _up(x, filters, dropout):
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_weights())(x)
    x = _instance_norm()(x)
    return layers.ReLU()(layers.Dropout(0.5)(x) if dropout else x)


def tutorial_generator(side=64, width=1.0, name="tutorial_unet"):
    """pix2pix's U-Net cut to `side` px: (B, side, side, 3) in [-1, 1] -> the same; 29,245,059 parameters at 64 px.

    At 256 px it is the tutorial's whole U-Net: 54,414,979 parameters (pix2pix's summary says
    54,425,859 with batch norm, which keeps two more numbers a channel). width scales every level's
    channels (1.0: the tutorial's; the tiny race uses less). It takes any multiple of 2 ** levels(side).
    """
    depth = levels(side)
    down = [max(1, round(f * width)) for f in TUTORIAL_DOWN[:depth]]
    image = keras.Input((None, None, 3))
    x, skips = image, []
    for level, filters in enumerate(down):
        x = _down(x, filters, norm=level > 0)
        skips.append(x)
    for level, skip in enumerate(reversed(skips[:-1])):
        x = layers.Concatenate()([_up(x, skip.shape[-1], dropout=level < TUTORIAL_DROPOUT), skip])
    x = layers.Conv2DTranspose(3, 4, strides=2, padding="same", activation="tanh", kernel_initializer=_weights())(x)
    return keras.Model(image, x, name=name)


def tutorial_discriminator(width=1.0, name="tutorial_patchgan"):
    """pix2pix's PatchGAN, no target: (B, H, W, 3) -> (B, H/8 - 2, W/8 - 2, 1) logits; 2,765,569 parameters."""
    image = keras.Input((None, None, 3))
    x = image
    for level, filters in enumerate((64, 128, 256)):
        x = _down(x, max(1, round(filters * width)), norm=level > 0)
    x = layers.ZeroPadding2D()(x)
    x = layers.Conv2D(max(1, round(512 * width)), 4, use_bias=False, kernel_initializer=_weights())(x)
    x = layers.LeakyReLU(0.3)(_instance_norm()(x))
    x = layers.Conv2D(1, 4, kernel_initializer=_weights())(layers.ZeroPadding2D()(x))
    return keras.Model(image, x, name=name)


def tutorial_optimizer():
    """Adam at 2e-4, beta_1 0.5, constant: the tutorial's for each of its four networks."""
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def tutorial_jitter(images):
    """The tutorial's random jitter at the images' size: resized by 286/256 (nearest), cropped back, half mirrored."""
    shape = tf.shape(images)
    side = round(images.shape[1] * TUTORIAL_JITTER / TUTORIAL_SIDE)
    images = tf.image.random_crop(tf.image.resize(images, (side, side), method="nearest"), shape)
    return tf.cond(tf.random.uniform(()) > 0.5, lambda: tf.image.flip_left_right(images), lambda: images)


def tutorial_train_step(G, F, D_X, D_Y, g_opt, f_opt, dx_opt, dy_opt, jitter=True):
    """The tutorial's step: x (domain X) and y (domain Y), (1, h, w, 3) in [-1, 1] -> the six losses.

    G: X -> Y, F: Y -> X; D_X judges X, D_Y judges Y. Each image is jittered first (jitter=False: as given).
    """
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    generator_loss = lambda fake: bce(tf.ones_like(fake), fake)  # noqa: E731
    discriminator_loss = lambda real, fake: 0.5 * (generator_loss(real) + bce(tf.zeros_like(fake), fake))  # noqa: E731
    l1 = lambda a, b: tf.reduce_mean(tf.abs(a - b))  # noqa: E731

    @tf.function
    def step(x, y):
        if jitter:
            x, y = tutorial_jitter(x), tutorial_jitter(y)
        with tf.GradientTape(persistent=True) as tape:
            fake_y, fake_x = G(x, training=True), F(y, training=True)
            cycled_x, cycled_y = F(fake_y, training=True), G(fake_x, training=True)
            same_x, same_y = F(x, training=True), G(y, training=True)
            real_x_logits, fake_x_logits = D_X(x, training=True), D_X(fake_x, training=True)
            real_y_logits, fake_y_logits = D_Y(y, training=True), D_Y(fake_y, training=True)
            cycle = LAMBDA * (l1(x, cycled_x) + l1(y, cycled_y))
            g_loss = generator_loss(fake_y_logits) + cycle + 0.5 * LAMBDA * l1(y, same_y)
            f_loss = generator_loss(fake_x_logits) + cycle + 0.5 * LAMBDA * l1(x, same_x)
            dx_loss = discriminator_loss(real_x_logits, fake_x_logits)
            dy_loss = discriminator_loss(real_y_logits, fake_y_logits)
        for loss, network, optimizer in ((g_loss, G, g_opt), (f_loss, F, f_opt), (dx_loss, D_X, dx_opt),
                                         (dy_loss, D_Y, dy_opt)):
            variables = network.trainable_variables
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        del tape
        return {"G": g_loss, "F": f_loss, "cycle": cycle, "D_X": dx_loss, "D_Y": dy_loss}

    return step

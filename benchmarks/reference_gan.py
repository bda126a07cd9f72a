"""The TensorFlow DCGAN tutorial's networks and training step, rebuilt from its description, to race lesson 05 against.

The tutorial (tensorflow.org/tutorials/generative/dcgan) trains on MNIST in batches of 256 with
100-dimensional noise. Its generator: Dense 7x7x256 (no bias, batch norm, LeakyReLU), then transposed convolutions of
5x5 kernels to 128 channels (stride 1), 64 (stride 2) and 1 (stride 2, tanh), each but the last
followed by batch norm and LeakyReLU. Its discriminator: 5x5 convolutions of stride 2 to 64 and
128 channels, each with LeakyReLU and dropout 0.3, then one logit. Both learn with Adam at 1e-4
and binary cross-entropy on logits, in one step with two gradient tapes.

    g, d = tutorial_generator(), tutorial_discriminator()
    step = tutorial_train_step(g, d, tutorial_optimizer(), tutorial_optimizer())
    g_loss, d_loss = step(images)                  # images (256, 28, 28, 1) in [-1, 1]
"""
import keras
import tensorflow as tf
from keras import layers

TUTORIAL_BATCH = 256
TUTORIAL_NOISE = 100


def tutorial_generator():
    """noise (B, 100) -> images (B, 28, 28, 1) in [-1, 1]: 2,330,944 parameters, as the tutorial's summary says."""
    z = keras.Input((TUTORIAL_NOISE,))
    x = layers.LeakyReLU()(layers.BatchNormalization()(layers.Dense(7 * 7 * 256, use_bias=False)(z)))
    x = layers.Reshape((7, 7, 256))(x)
    for channels, stride in ((128, 1), (64, 2)):
        x = layers.Conv2DTranspose(channels, 5, strides=stride, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh")(x)
    return keras.Model(z, x, name="tutorial_generator")


def tutorial_discriminator():
    """images (B, 28, 28, 1) -> logits (B, 1): 212,865 parameters, as the tutorial's summary says."""
    image = keras.Input((28, 28, 1))
    x = image
    for channels in (64, 128):
        x = layers.Dropout(0.3)(layers.LeakyReLU()(layers.Conv2D(channels, 5, strides=2, padding="same")(x)))
    return keras.Model(image, layers.Dense(1)(layers.Flatten()(x)), name="tutorial_discriminator")


def tutorial_optimizer():
    """Adam at 1e-4, the tutorial's for both networks."""
    return keras.optimizers.Adam(1e-4)


def tutorial_train_step(generator, discriminator, g_opt, d_opt):
    """The tutorial's step: both networks updated from one batch, the generator's loss log D(G(z)) maximised."""
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(images):
        noise = tf.random.normal([tf.shape(images)[0], TUTORIAL_NOISE])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = discriminator(generator(noise, training=True), training=True)
            real = discriminator(images, training=True)
            g_loss = cross_entropy(tf.ones_like(fake), fake)
            d_loss = cross_entropy(tf.ones_like(real), real) + cross_entropy(tf.zeros_like(fake), fake)
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        return g_loss, d_loss

    return step

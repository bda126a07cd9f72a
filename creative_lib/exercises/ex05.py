"""Checked exercises of lesson 05 (generative adversarial networks).

    from creative_lib.exercises import ex05 as ex
    ex.q1.check(discriminator_loss); ex.q1.hint(); ex.q1.solution()

Each answer is checked against the lesson's own code (creative_lib.gan) on several cases; the
students may use NumPy or TensorFlow, and return either.
"""
import keras
import numpy as np
import tensorflow as tf

from creative_lib import gan
from creative_lib.exercises.core import Case, Question, compare_close

_rng = np.random.default_rng(5)


def _logits(n, scale=2.0):
    return (scale * _rng.standard_normal((n, 1))).astype(np.float32)


def _close(result, expected):
    """compare_close at float32 precision (item by item for sequences of arrays)."""
    return compare_close(result, expected, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- q1: the discriminator's loss

def discriminator_loss(real_logits, fake_logits):
    return np.mean(np.logaddexp(0.0, -real_logits)) + np.mean(np.logaddexp(0.0, fake_logits))


q1 = Question(
    "q1", "The discriminator's loss",
    cases=[
        Case(args=(_logits(8), _logits(8)), label="8 real and 8 forged images"),
        Case(args=(np.zeros((4, 1), np.float32), np.zeros((4, 1), np.float32)), label="D undecided: 2 log 2"),
        Case(args=(_logits(5) + 6, _logits(7) - 6), label="a confident D, batches of different sizes"),
        Case(args=(_logits(3) - 40, _logits(3) + 40), label="D completely fooled (logits of 40): log(1 - D) must not be log 0"),
    ],
    reference=lambda r, f: float(gan.discriminator_loss(r, f)),
    compare=_close,
    hint="-log D(x) = softplus(-logit) and -log(1 - D(G(z))) = softplus(logit), where softplus(u) = log(1 + e^u) "
         "(np.logaddexp(0, u) or tf.nn.softplus(u)). Average each over its batch and add the two.",
    solution=discriminator_loss,
)


# ---------------------------------------------------------------- q2: the non-saturating generator loss

def generator_loss(fake_logits):
    return np.mean(np.logaddexp(0.0, -fake_logits))


q2 = Question(
    "q2", "The non-saturating generator loss",
    cases=[
        Case(args=(_logits(8),), label="8 forged images"),
        Case(args=(np.zeros((3, 1), np.float32),), label="D undecided: log 2"),
        Case(args=(_logits(6) - 6,), label="D sees through every forgery: a large loss, and a large gradient"),
    ],
    reference=lambda f: float(gan.generator_loss(f)),
    compare=_close,
    hint="G maximises log D(G(z)), so it minimises -log D(G(z)) = softplus(-logit), averaged over the batch. "
         "(Not log(1 - D(G(z))): that is the saturating loss.)",
    solution=generator_loss,
)


# ---------------------------------------------------------------- q3: one training step's gradients, two tapes

def gan_gradients(generator, discriminator, real, z):
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake_logits = discriminator(generator(z))
        real_logits = discriminator(real)
        d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))
        g_loss = tf.reduce_mean(tf.nn.softplus(-fake_logits))
    return (g_tape.gradient(g_loss, generator.trainable_variables),
            d_tape.gradient(d_loss, discriminator.trainable_variables))


def _reference_gradients(generator, discriminator, real, z):
    with tf.GradientTape(persistent=True) as tape:
        fake_logits, real_logits = discriminator(generator(z)), discriminator(real)
        d_loss, g_loss = gan.discriminator_loss(real_logits, fake_logits), gan.generator_loss(fake_logits)
    return ([g.numpy() for g in tape.gradient(g_loss, generator.trainable_variables)],
            [g.numpy() for g in tape.gradient(d_loss, discriminator.trainable_variables)])


def _pair_case(z_dim, out_dim, batch, label):
    keras.utils.set_random_seed(int(_rng.integers(1 << 30)))
    generator = gan.dense_net(z_dim, out_dim, hidden=8, name="G")
    discriminator = gan.dense_net(out_dim, 1, hidden=8, name="D")
    real = _rng.standard_normal((batch, out_dim)).astype(np.float32)
    z = _rng.standard_normal((batch, z_dim)).astype(np.float32)
    return Case(args=(generator, discriminator, real, z), label=label)


q3 = Question(
    "q3", "One training step's gradients, with two tapes",
    cases=[
        _pair_case(4, 1, 16, "the 1-D game: z of 4 numbers, samples of 1"),
        _pair_case(3, 5, 9, "z of 3 numbers, samples of 5, a batch of 9"),
    ],
    reference=_reference_gradients,
    compare=_close,
    hint="Open two tapes in one `with`: `with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:`. Inside, "
         "forge (generator(z)), judge the forged and the real batch, and compute both losses (q1, q2). After it, "
         "g_tape.gradient(g_loss, generator.trainable_variables) and d_tape.gradient(d_loss, "
         "discriminator.trainable_variables).",
    solution=gan_gradients,
)


# ---------------------------------------------------------------- q4: spherical interpolation

def slerp(a, b, t):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    omega = np.arccos(np.clip(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)), -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


q4 = Question(
    "q4", "Spherical interpolation",
    cases=[
        Case(args=(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5), label="a quarter circle, half way: (1, 1)/sqrt 2"),
        Case(args=(_rng.standard_normal(100), _rng.standard_normal(100), 0.3), label="two noise vectors of 100, t = 0.3"),
        Case(args=(_rng.standard_normal(10), _rng.standard_normal(10), 1.0), label="t = 1 is b"),
        Case(args=(np.array([1.0, 2.0, 2.0]), np.array([2.0, 4.0, 4.0]), 0.25), label="parallel vectors: the line"),
    ],
    reference=gan.slerp,
    compare=_close,
    hint="The angle between a and b is omega = arccos(a.b / (|a| |b|)); the result is "
         "(sin((1 - t) omega) a + sin(t omega) b) / sin(omega). When sin(omega) is (nearly) 0 there is no "
         "circle: fall back to (1 - t) a + t b.",
    solution=slerp,
)


# ---------------------------------------------------------------- q5: the nearest training image

def nearest_neighbours(samples, train):
    a, b = samples.reshape(len(samples), -1), train.reshape(len(train), -1)
    distances = np.sqrt(np.maximum(np.sum(a * a, 1)[:, None] - 2 * a @ b.T + np.sum(b * b, 1)[None], 0))
    nearest = np.argmin(distances, axis=1)
    return nearest, distances[np.arange(len(a)), nearest]


def _images(n, side=6):
    return _rng.uniform(-1, 1, (n, side, side, 1)).astype(np.float32)


_train = _images(40)
q5 = Question(
    "q5", "The nearest training image",
    cases=[
        Case(args=(_images(5), _train), label="5 samples among 40 training images"),
        Case(args=(_train[[7, 3]] + 0.01, _train), label="near-copies of training images 7 and 3"),
        Case(args=(_images(1, 9), _images(12, 9)), label="one sample, 9x9 images"),
    ],
    reference=lambda s, t: gan.nearest_neighbours(s, t),
    compare=lambda r, e: (compare_close(np.asarray(r[0]), e[0], rtol=0, atol=0) and "the indices differ") or _close(r[1], e[1]),
    hint="Flatten each image to a vector. |a - b|^2 = |a|^2 - 2 a.b + |b|^2 gives every squared distance at once "
         "as a (samples, train) matrix; np.argmin along axis 1 picks the nearest; return the indices and the "
         "square roots of those smallest squared distances.",
    solution=nearest_neighbours,
)

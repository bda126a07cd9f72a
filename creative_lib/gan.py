# Generated from notebooks/05_gans.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/05_gans.ipynb 5
"""Lesson 05: generative adversarial networks (Goodfellow et al. 2014) and DCGAN (Radford et al. 2016).

Images are (B, 28, 28, 1) float32 in [-1, 1]; the noise z is (B, z_dim), standard normal. A
discriminator returns logits: D(x) = sigmoid(logit) is its belief that x is real.
"""
import keras
import numpy as np
import scipy.linalg
import tensorflow as tf
from keras import layers


# %% notebooks/05_gans.ipynb 7
MODES = (-4.0, 0.0, 4.0)


def mixture(n, rng, means=MODES, sd=0.5):
    """n samples from an equal mixture of Gaussians of standard deviation sd: (n, 1) float32."""
    centres = np.asarray(means, np.float32)[rng.integers(0, len(means), n)]
    return (centres + sd * rng.standard_normal(n)).astype(np.float32)[:, None]


def mixture_density(x, means=MODES, sd=0.5):
    """The mixture's probability density at each x: (n,) -> (n,)."""
    x = np.asarray(x, np.float64)[:, None]
    return np.mean(np.exp(-0.5 * ((x - np.asarray(means)) / sd) ** 2), axis=1) / (sd * np.sqrt(2 * np.pi))


def dense_net(inputs, outputs, hidden=32, name=None):
    """A perceptron with two tanh hidden layers: (B, inputs) -> (B, outputs)."""
    x = keras.Input((inputs,))
    h = layers.Dense(hidden, activation="tanh")(layers.Dense(hidden, activation="tanh")(x))
    return keras.Model(x, layers.Dense(outputs)(h), name=name)


# %% notebooks/05_gans.ipynb 9
def discriminator_loss(real_logits, fake_logits):
    """-mean log D(x) - mean log(1 - D(G(z))): logits (B, 1), (B, 1) -> a scalar."""
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))


def generator_loss(fake_logits):
    """The non-saturating loss -mean log D(G(z)): logits (B, 1) -> a scalar."""
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def saturating_generator_loss(fake_logits):
    """The game's own loss for G, mean log(1 - D(G(z))), to minimise: logits (B, 1) -> a scalar."""
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


# %% notebooks/05_gans.ipynb 13
def make_train_step(generator, discriminator, g_opt, d_opt, z_dim, g_loss=generator_loss):
    """A tf.function: a real batch (B, ...) -> {"d_loss", "g_loss", "D(x)", "D(G(z))"}, updating both networks."""
    @tf.function
    def step(real):
        z = tf.random.normal([tf.shape(real)[0], z_dim])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(z, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits)
            gen_loss = g_loss(fake_logits)
        g_vars, d_vars = generator.trainable_variables, discriminator.trainable_variables
        g_opt.apply_gradients(zip(g_tape.gradient(gen_loss, g_vars), g_vars))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        return {"d_loss": d_loss, "g_loss": gen_loss,
                "D(x)": tf.reduce_mean(tf.sigmoid(real_logits)), "D(G(z))": tf.reduce_mean(tf.sigmoid(fake_logits))}

    return step


# %% notebooks/05_gans.ipynb 26
def build_classifier(classes=10, side=28):
    """images (B, side, side, 1) -> class logits (B, classes); its 128-unit layer "features" describes an image."""
    image = keras.Input((side, side, 1))
    x = layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(image))
    x = layers.MaxPooling2D()(layers.Conv2D(64, 3, activation="relu")(x))
    features = layers.Dense(128, activation="relu", name="features")(layers.Flatten()(x))
    logits = layers.Dense(classes, name="logits")(layers.Dropout(0.3)(features))
    return keras.Model(image, logits, name="judge")


def make_judge(classifier, batch=500):
    """classifier -> a function: images (N, side, side, 1) -> (features (N, 128), class probabilities (N, classes))."""
    both = keras.Model(classifier.input, [classifier.get_layer("features").output, classifier.output])

    def judge(images):
        parts = [both(images[k:k + batch], training=False) for k in range(0, len(images), batch)]
        return (np.concatenate([f.numpy() for f, _ in parts]),
                np.concatenate([tf.nn.softmax(l).numpy() for _, l in parts]))

    return judge


def frechet_distance(a, b, eps=1e-6):
    """Between Gaussians fitted to two sets of features (N, d), (M, d): |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^1/2)."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    s_a = np.cov(a, rowvar=False) + eps * np.eye(a.shape[1])  # eps: features that never fire leave S singular
    s_b = np.cov(b, rowvar=False) + eps * np.eye(b.shape[1])
    root = scipy.linalg.sqrtm(s_a @ s_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a + s_b - 2.0 * root))


# %% notebooks/05_gans.ipynb 29
def build_generator(z_dim=100, filters=32, side=28):
    """z (B, z_dim) -> images (B, side, side, 1) in [-1, 1]; side divisible by 4."""
    if side % 4:
        raise ValueError(f"The generator doubles its maps twice, so the image side must be a multiple of 4; got {side}.")
    z = keras.Input((z_dim,), name="z")
    s = side // 4
    x = layers.Dense(s * s * 2 * filters, use_bias=False, name="project")(z)
    x = layers.ReLU(name="project_relu")(layers.BatchNormalization(name="project_bn")(x))
    x = layers.Reshape((s, s, 2 * filters), name="to_maps")(x)
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name="up_1")(x)
    x = layers.ReLU(name="up_1_relu")(layers.BatchNormalization(name="up_1_bn")(x))
    image = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="up_2_tanh")(x)
    return keras.Model(z, image, name="generator")


def build_discriminator(filters=32, side=28):
    """images (B, side, side, 1) -> logits (B, 1): two stride-2 convolutions, batch norm, LeakyReLU 0.2."""
    image = keras.Input((side, side, 1), name="image")
    x = layers.LeakyReLU(0.2, name="down_1_lrelu")(layers.Conv2D(filters, 4, strides=2, padding="same", name="down_1")(image))
    x = layers.Conv2D(2 * filters, 4, strides=2, padding="same", use_bias=False, name="down_2")(x)
    x = layers.LeakyReLU(0.2, name="down_2_lrelu")(layers.BatchNormalization(name="down_2_bn")(x))
    logit = layers.Dense(1, name="logit")(layers.Flatten(name="flatten")(x))
    return keras.Model(image, logit, name="discriminator")


def dcgan_optimizer():
    """Adam with DCGAN's settings: learning rate 2e-4, beta_1 0.5."""
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


# %% notebooks/05_gans.ipynb 39
def class_counts(probs):
    """Class probabilities (N, classes) -> how many samples have each class as their most probable: (classes,)."""
    return np.bincount(np.argmax(probs, axis=1), minlength=probs.shape[1])


def class_coverage(probs, min_share=0.01):
    """How many classes the judge finds among the samples: those holding at least min_share of them."""
    return int(np.sum(class_counts(probs) >= min_share * len(probs)))


def nearest_neighbours(samples, train, batch=500):
    """The Euclidean nearest training image to each sample: (N, ...), (M, ...) -> (indices (N,), distances (N,))."""
    a, b = samples.reshape(len(samples), -1), train.reshape(len(train), -1)
    b_squared = np.sum(b * b, axis=1)
    indices, distances = [], []
    for k in range(0, len(a), batch):
        chunk = a[k:k + batch]
        d2 = np.sum(chunk * chunk, axis=1)[:, None] - 2.0 * chunk @ b.T + b_squared[None]
        nearest = np.argmin(d2, axis=1)
        indices.append(nearest)
        distances.append(np.sqrt(np.maximum(d2[np.arange(len(chunk)), nearest], 0.0)))
    return np.concatenate(indices), np.concatenate(distances)


# %% notebooks/05_gans.ipynb 46
RING_SD = 0.05


def ring_centres(modes=8, radius=2.0):
    """The modes of the ring, evenly spaced on a circle: (modes, 2) float32."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def ring(n, rng, centres=None, sd=RING_SD):
    """n points from an equal mixture of Gaussians of standard deviation sd around the centres: (n, 2) float32."""
    centres = ring_centres() if centres is None else centres
    return (centres[rng.integers(0, len(centres), n)] + sd * rng.standard_normal((n, 2))).astype(np.float32)


def mode_coverage(points, centres, sd=RING_SD, min_share=0.02):
    """-> (modes covered, share of high-quality points, share of the points whose nearest mode is the most popular one).

    points (N, 2), centres (M, 2). A point is high quality within 3 sd of its nearest mode; a mode is covered when at
    least min_share of all points are high quality around it."""
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    nearest, good = distances.argmin(axis=1), distances.min(axis=1) < 3 * sd
    covered = np.bincount(nearest[good], minlength=len(centres)) >= min_share * len(points)
    return int(covered.sum()), float(good.mean()), float(np.bincount(nearest).max() / len(points))


def batch_spread(x):
    """The minibatch standard deviation (Karras et al. 2018): rows (B, d) -> (B, d + 1), each with its batch's mean spread."""
    spread = keras.ops.mean(keras.ops.std(x, axis=0))
    return keras.ops.concatenate([x, keras.ops.ones_like(x[:, :1]) * spread], axis=1)


def ring_net(inputs, outputs, hidden=128, sees_spread=False, name=None):
    """A perceptron with two ReLU hidden layers: (B, inputs) -> (B, outputs); with sees_spread, each row comes with its
    batch's spread (batch_spread)."""
    x = keras.Input((inputs,), name="points" if outputs == 1 else "z")
    h = layers.Lambda(batch_spread, name="batch_spread")(x) if sees_spread else x
    h = layers.Dense(hidden, activation="relu", name="hidden_1")(h)
    h = layers.Dense(hidden, activation="relu", name="hidden_2")(h)
    return keras.Model(x, layers.Dense(outputs, name="out")(h), name=name)


# %% notebooks/05_gans.ipynb 51
def lerp(a, b, t):
    """The straight line: (1 - t) a + t b, for vectors a, b (d,) and t in [0, 1]."""
    return (1.0 - t) * np.asarray(a) + t * np.asarray(b)


def slerp(a, b, t):
    """Along the great circle from a to b, at fraction t of the angle between them: (d,), (d,) -> (d,)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    lengths = np.linalg.norm(a) * np.linalg.norm(b)
    omega = np.arccos(np.clip(np.dot(a, b) / lengths, -1.0, 1.0)) if lengths > 0 else 0.0
    if np.sin(omega) < 1e-6:  # (anti)parallel, or a zero vector: no unique circle, the line will do
        return lerp(a, b, t)
    return (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def draw(generator, zs):
    """Noise vectors (N, z_dim) -> G's images (N, side, side, 1), in inference mode."""
    return generator(np.asarray(zs, np.float32), training=False).numpy()


# %% notebooks/05_gans.ipynb 59
def ink(images):
    """How much of each image is drawn: the mean brightness in [0, 1] of (N, h, w, 1) in [-1, 1] -> (N,)."""
    return np.mean((np.asarray(images) + 1.0) / 2.0, axis=(1, 2, 3))


def exemplar_means(zs, labels, scores, k=8):
    """Radford et al.'s concepts, per label: the mean z of its k lowest scorers and of its k highest.

    zs (N, d), labels (N,), scores (N,) -> {label: (low (d,), high (d,))}, for the labels with at least 2k members."""
    concepts = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) >= 2 * k:
            order = members[np.argsort(scores[members])]
            concepts[int(label)] = (zs[order[:k]].mean(axis=0), zs[order[-k:]].mean(axis=0))
    return concepts


def add_attribute(concepts, target):
    """low(target) + the mean of high(c) - low(c) over the other concepts c: "thin 7 + (thick - thin)" -> (d,)."""
    others = [high - low for label, (low, high) in concepts.items() if label != target]
    if not others:
        raise ValueError("The attribute is learnt on other labels than the target: at least two labels are needed.")
    return concepts[target][0] + np.mean(others, axis=0)

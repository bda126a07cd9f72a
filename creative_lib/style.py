# Generated from notebooks/04_style_transfer.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/04_style_transfer.ipynb 5
"""Lesson 04: neural style transfer (Gatys, Ecker & Bethge 2015).

Images are float32 RGB in [0, 1], shaped (1, H, W, 3). make_loss builds the objective once for a
content and a style image; lbfgs and adam change the pixels of one image to minimise it.
"""
import time

import numpy as np
import scipy.optimize
import tensorflow as tf
from skimage.color import rgb2yiq, yiq2rgb


# %% notebooks/04_style_transfer.ipynb 9
def content_loss(features, target):
    """1/2 sum (F - P)^2 over one layer: (B, h, w, c) and (1 or B, h, w, c) -> (B,)."""
    return 0.5 * tf.reduce_sum(tf.square(features - target), axis=[1, 2, 3])


# %% notebooks/04_style_transfer.ipynb 11
def gram_matrix(features):
    """(B, h, w, N) feature maps -> (B, N, N): G_ij = (1/M) sum_k F_ik F_jk over the M = h*w positions."""
    m = tf.cast(tf.shape(features)[1] * tf.shape(features)[2], features.dtype)
    return tf.einsum("bijc,bijd->bcd", features, features) / m


def layer_style_loss(features, target_gram):
    """E_l = 1/(4 N^2) sum (G - A)^2, G and A averaged over positions: (B, h, w, N), (1 or B, N, N) -> (B,)."""
    n = tf.cast(tf.shape(features)[-1], features.dtype)
    return tf.reduce_sum(tf.square(gram_matrix(features) - target_gram), axis=[1, 2]) / (4.0 * n * n)


def style_loss(features, target_grams, weights):
    """L_style = sum_l w_l E_l over the weighted layers: {layer: (B, h, w, N)} -> (B,)."""
    return tf.add_n([w * layer_style_loss(features[name], target_grams[name]) for name, w in weights.items()])


# %% notebooks/04_style_transfer.ipynb 15
def total_variation(images):
    """sum of squared differences between neighbouring pixels: (B, H, W, 3) -> (B,)."""
    dx = images[:, :, 1:] - images[:, :, :-1]
    dy = images[:, 1:] - images[:, :-1]
    return tf.reduce_sum(tf.square(dx), axis=[1, 2, 3]) + tf.reduce_sum(tf.square(dy), axis=[1, 2, 3])


# %% notebooks/04_style_transfer.ipynb 18
def make_loss(backbone, content, style, content_layer, style_weights, alpha=1e-2, beta=1.0, tv=0.0):
    """A tf.function: images (B, H, W, 3) -> {"total", "content", "style", "tv"}, each (B,).

    content (1, H, W, 3) and style (1, H', W', 3) in [0, 1], of any sizes; alpha, beta: the weights
    of the content and style losses; tv: the weight of total_variation. A content_layer of None (or
    alpha 0) leaves content out (texture synthesis); empty style_weights (or beta 0) leave style out.
    """
    style_weights = {name: w for name, w in style_weights.items() if w} if beta else {}
    grams = {name: gram_matrix(f) for name, f in backbone.features(style).items() if name in style_weights}
    target = backbone.features(content)[content_layer] if content_layer and alpha else None

    @tf.function
    def loss(images):
        features = backbone.features(images)
        parts = {"tv": total_variation(images)}
        zero = 0.0 * parts["tv"]
        parts["style"] = style_loss(features, grams, style_weights) if style_weights else zero
        parts["content"] = content_loss(features[content_layer], target) if target is not None else zero
        parts["total"] = alpha * parts["content"] + beta * parts["style"] + tv * parts["tv"]
        return parts

    return loss


def value_and_gradient(loss):
    """make_loss's loss -> a tf.function: image (1, H, W, 3) -> (loss parts, d total / d image)."""
    @tf.function
    def both(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            parts = loss(image)
        return parts, tape.gradient(parts["total"], image)

    return both


# %% notebooks/04_style_transfer.ipynb 20
class BudgetSpent(Exception):
    """Raised inside L-BFGS's loss when its budget of evaluations is spent, to stop SciPy there."""


def lbfgs(loss, init, evaluations, every=0, on_step=None):
    """Minimise loss over the pixels with L-BFGS-B, each pixel bounded to [0, 1] (the paper's optimiser).

    init (1, H, W, 3); evaluations: the loss-and-gradient evaluations it spends (fewer if it stops early).
    Its line search sometimes tries a point worse than the last, so it returns the best image it
    evaluated, and history holds, after each evaluation, the loss parts of the best image so far.
    Jupyter's stop button ends it early, with the best image so far.
    on_step(k, best image) every `every` evaluations. -> (image (1, H, W, 3), history {part: [...]}).
    """
    both, shape, history, best = value_and_gradient(loss), init.shape, {"seconds": []}, {}
    began = time.perf_counter()

    def value_and_grad(x):
        if len(history["seconds"]) == evaluations:
            raise BudgetSpent
        parts, grad = both(tf.constant(x.reshape(shape), tf.float32))
        parts = {name: float(value[0]) for name, value in parts.items()}
        if not best or parts["total"] < best["parts"]["total"]:
            best.update(parts=parts, image=x.reshape(shape).astype(np.float32))
        for name, value in best["parts"].items():
            history.setdefault(name, []).append(value)
        history["seconds"].append(time.perf_counter() - began)
        if on_step and every and len(history["seconds"]) % every == 0:
            on_step(len(history["seconds"]), best["image"])
        return parts["total"], grad.numpy().astype(np.float64).ravel()

    try:
        scipy.optimize.minimize(value_and_grad, np.asarray(init, np.float64).ravel(), jac=True, method="L-BFGS-B",
                                bounds=scipy.optimize.Bounds(0.0, 1.0),
                                options=dict(maxfun=evaluations + 1, maxiter=evaluations, maxcor=20, ftol=0, gtol=0))
    except BudgetSpent:
        pass
    except KeyboardInterrupt:  # Jupyter's stop button: keep the best image so far
        if not best:
            raise
    return best["image"], history


def adam_step(loss, init, steps, learning_rate=0.05, beta_1=0.95, epsilon=0.1, cosine=True):
    """One Adam step on the pixels, clipped to [0, 1] after it: (step() -> loss parts, image Variable, optimizer).

    cosine: the learning rate falls from learning_rate to 0 along half a cosine over `steps`; False
    keeps it constant.
    """
    rate = tf.keras.optimizers.schedules.CosineDecay(learning_rate, steps) if cosine else learning_rate
    optimizer = tf.keras.optimizers.Adam(rate, beta_1=beta_1, epsilon=epsilon)
    image, both = tf.Variable(init, dtype=tf.float32), value_and_gradient(loss)
    optimizer.build([image])

    @tf.function
    def step():
        parts, grad = both(tf.convert_to_tensor(image))
        optimizer.apply_gradients([(grad, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return parts

    return step, image, optimizer


def adam(loss, init, steps, learning_rate=0.05, beta_1=0.95, epsilon=0.1, cosine=True, every=0, on_step=None):
    """Minimise loss over the pixels with `steps` of adam_step. Jupyter's stop button ends it early, with the image so far.

    -> (image (1, H, W, 3), history {part: [value at the image each step starts from]}).
    """
    step, image, _ = adam_step(loss, init, steps, learning_rate, beta_1, epsilon, cosine)
    history = {"seconds": []}
    began = time.perf_counter()
    try:
        for k in range(1, steps + 1):
            for name, value in step().items():
                history.setdefault(name, []).append(float(value[0]))
            history["seconds"].append(time.perf_counter() - began)
            if on_step and every and k % every == 0:
                on_step(k, image.numpy())
    except KeyboardInterrupt:  # Jupyter's stop button: keep the image so far
        pass
    return image.numpy(), history


# %% notebooks/04_style_transfer.ipynb 22
def equal_weights(layers):
    """{layer: 1 / len(layers)}: the paper's style-layer weights."""
    return {name: 1.0 / len(layers) for name in layers}


def stylise(backbone, content, style, ratio=1e-2, tv=1.0, evaluations=100, init=None, every=0, on_step=None):
    """Style transfer with L-BFGS and the backbone's Gatys layers: (image (1, H, W, 3), history).

    content, style: (1, H, W, 3) and (1, H', W', 3) in [0, 1], of any sizes; ratio: alpha / beta; init: the
    starting image, shaped like content (default: content itself); every, on_step: as lbfgs.
    """
    loss = make_loss(backbone, content, style, backbone.spec.content_layers[0], equal_weights(backbone.spec.style_layers),
                     alpha=ratio, tv=tv)
    return lbfgs(loss, content if init is None else init, evaluations, every, on_step)


# %% notebooks/04_style_transfer.ipynb 38
def luminance_pair(content, style):
    """The luminance of both images as grey RGB, the style's matched to the content's mean and spread."""
    y_content, y_style = rgb2yiq(content)[..., 0], rgb2yiq(style)[..., 0]
    y_style = (y_style - y_style.mean()) / (y_style.std() + 1e-6) * y_content.std() + y_content.mean()
    grey = lambda y: np.repeat(np.clip(y, 0.0, 1.0)[..., None], 3, axis=-1).astype(np.float32)
    return grey(y_content), grey(y_style)


def with_colours_of(grey_result, content):
    """The luminance of grey_result with the I and Q channels of content: (1, H, W, 3) -> (1, H, W, 3)."""
    yiq = rgb2yiq(content)
    yiq[..., 0] = rgb2yiq(grey_result)[..., 0]
    return np.clip(yiq2rgb(yiq), 0.0, 1.0).astype(np.float32)


def stylise_keeping_colours(backbone, content, style, on_step=None, **settings):
    """stylise in luminance only, then the content's colours put back: (image (1, H, W, 3), history)."""
    grey_content, grey_style = luminance_pair(content, style)
    preview = on_step and (lambda k, image: on_step(k, with_colours_of(image, content)))
    image, history = stylise(backbone, grey_content, grey_style, on_step=preview, **settings)
    return with_colours_of(image, content), history

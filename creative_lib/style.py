# Generated from notebooks/04_style_transfer.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/04_style_transfer.ipynb 5
"""Lesson 04: neural style transfer (Gatys, Ecker & Bethge 2015).

Images are float32 RGB in [0, 1], shaped (1, H, W, 3). make_loss builds the objective for a content
and a style image (one traced tf.function per network and choice of layers, reused for every image,
size and weight); lbfgs and adam change the pixels of one image to minimise it.
"""
import functools
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
def loss_parts(backbone, images, targets, weights):
    """The objective: images (B, H, W, 3) -> {"total", "content", "style", "tv"}, each (B,).

    targets: {"content": {layer: the photo's features (1, h, w, c)}, "style": {layer: the painting's
    Gram matrix (1, N, N)}}, either may be empty; weights: {"alpha", "beta", "tv": scalars,
    "layers": {style layer: w_l}}.
    """
    features = backbone.features(images)
    tv = total_variation(images)
    zero = tf.zeros_like(tv)
    style = style_loss(features, targets["style"], weights["layers"]) if targets["style"] else zero
    content = tf.add_n([content_loss(features[n], p) for n, p in targets["content"].items()]) if targets["content"] else zero
    total = weights["alpha"] * content + weights["beta"] * style + weights["tv"] * tv
    return {"total": total, "content": content, "style": style, "tv": tv}


@functools.cache
def traced_loss(backbone, content_layers, style_layers):
    """loss_parts for this backbone and these layers as two tf.functions of (images, targets, weights), traced
    once for every image size, target and weight: -> parts, and -> (parts, d total / d images)."""
    def any_size(rank):
        return tf.TensorSpec([None] * rank, tf.float32)

    scalar = tf.TensorSpec([], tf.float32)
    signature = [any_size(4),
                 {"content": {n: any_size(4) for n in content_layers}, "style": {n: any_size(3) for n in style_layers}},
                 {"alpha": scalar, "beta": scalar, "tv": scalar, "layers": {n: scalar for n in style_layers}}]

    @tf.function(input_signature=signature)
    def parts(images, targets, weights):
        return loss_parts(backbone, images, targets, weights)

    @tf.function(input_signature=signature)
    def with_gradient(images, targets, weights):
        with tf.GradientTape() as tape:
            tape.watch(images)
            result = loss_parts(backbone, images, targets, weights)
        return result, tape.gradient(result["total"], images)

    return parts, with_gradient


class Loss:
    """The objective with its targets and weights bound: loss(images) -> parts; loss.value_and_gradient(image)."""

    def __init__(self, backbone, targets, weights):
        self.targets = targets
        self.weights = tf.nest.map_structure(lambda w: tf.constant(w, tf.float32), weights)
        self.parts, self.with_gradient = traced_loss(backbone, tuple(targets["content"]), tuple(sorted(targets["style"])))

    def __call__(self, images):
        return self.parts(tf.convert_to_tensor(images, tf.float32), self.targets, self.weights)

    def value_and_gradient(self, image):
        return self.with_gradient(tf.convert_to_tensor(image, tf.float32), self.targets, self.weights)


def make_loss(backbone, content, style, content_layer, style_weights, alpha=1e-2, beta=1.0, tv=0.0):
    """The Loss for this photo and painting: images (B, H, W, 3) -> {"total", "content", "style", "tv"}, each (B,).

    content (1, H, W, 3) and style (1, H', W', 3) in [0, 1], of any sizes; alpha, beta: the weights
    of the content and style losses; tv: the weight of total_variation. A content_layer of None (or
    alpha 0) leaves content out (texture synthesis); empty style_weights (or beta 0) leave style out.
    """
    style_weights = {name: w for name, w in style_weights.items() if w} if beta else {}
    targets = {"content": {content_layer: backbone.features(content)[content_layer]} if content_layer and alpha else {},
               "style": {n: gram_matrix(f) for n, f in backbone.features(style).items() if n in style_weights}}
    return Loss(backbone, targets, {"alpha": alpha, "beta": beta, "tv": tv, "layers": style_weights})


def value_and_gradient(loss, image):
    """(loss parts, d total / d image) at image (1, H, W, 3): a Loss's traced pair, or a tape around any other loss."""
    if isinstance(loss, Loss):
        return loss.value_and_gradient(image)
    with tf.GradientTape() as tape:
        tape.watch(image)
        parts = loss(image)
    return parts, tape.gradient(parts["total"], image)


# %% notebooks/04_style_transfer.ipynb 20
def lbfgs(loss, init, evaluations, every=0, on_step=None):
    """Minimise loss over the pixels with L-BFGS-B, each pixel bounded to [0, 1] (the paper's optimiser).

    init (1, H, W, 3); evaluations: the loss-and-gradient evaluations it may spend; on_step(k, best
    image) every `every` evaluations. -> (the best image evaluated, Log.history).
    """
    log = Log(evaluations, every, on_step)

    def value_and_grad(x):
        image = tf.constant(x.reshape(init.shape), tf.float32)
        parts, grad = value_and_gradient(loss, image)
        log.record(image, parts)  # raises BudgetSpent after the last evaluation
        return float(parts["total"][0]), grad.numpy().astype(np.float64).ravel()

    with log:  # ends quietly when the budget is spent, or on Jupyter's stop button
        scipy.optimize.minimize(value_and_grad, np.ravel(init).astype(np.float64), jac=True, method="L-BFGS-B",
                                bounds=scipy.optimize.Bounds(0.0, 1.0),
                                options=dict(maxcor=20, maxfun=evaluations + 1, maxiter=evaluations, ftol=0, gtol=0))
    return log.best_image, log.history


def adam_step(loss, init, steps, learning_rate=0.05, beta_1=0.95, epsilon=0.1, cosine=True):
    """One Adam step on the pixels, clipped to [0, 1] after it: (step() -> loss parts before it, image Variable, optimizer).

    cosine: the learning rate falls from learning_rate to 0 along half a cosine over `steps`; False
    keeps it constant.
    """
    rate = tf.keras.optimizers.schedules.CosineDecay(learning_rate, steps) if cosine else learning_rate
    optimizer = tf.keras.optimizers.Adam(rate, beta_1=beta_1, epsilon=epsilon)
    image = tf.Variable(init, dtype=tf.float32)
    optimizer.build([image])

    @tf.function
    def step():
        parts, grad = value_and_gradient(loss, tf.convert_to_tensor(image))
        optimizer.apply_gradients([(grad, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return parts

    return step, image, optimizer


def adam(loss, init, steps, learning_rate=0.05, beta_1=0.95, epsilon=0.1, cosine=True, every=0, on_step=None):
    """Minimise loss over the pixels with `steps` of adam_step: (the best image evaluated, Log.history), as lbfgs."""
    step, image, _ = adam_step(loss, init, steps, learning_rate, beta_1, epsilon, cosine)
    log = Log(steps, every, on_step)
    with log:
        while True:
            before = image.numpy()
            log.record(before, step())  # step() evaluates the loss at `before`, then moves the image
    return log.best_image, log.history


# %% notebooks/04_style_transfer.ipynb 22
class BudgetSpent(Exception):
    """Raised by Log.record once the budget of evaluations is spent, to stop the optimiser there."""


class Log:
    """An optimiser's bookkeeping: the budget, the best image so far, and the history of its loss parts.

    record(image, parts) after each evaluation; history = {part: [the best image's value after each
    evaluation], "seconds": [...]}; `with log:` ends quietly on BudgetSpent, and on Jupyter's stop
    button once an image has been seen.
    """

    def __init__(self, budget, every=0, on_step=None):
        self.budget, self.every, self.on_step = budget, every, on_step
        self.best, self.best_image, self.history = None, None, {"seconds": []}
        self.began = time.perf_counter()

    def record(self, image, parts):
        parts = {name: float(value[0]) for name, value in parts.items()}
        if self.best is None or parts["total"] < self.best["total"]:
            self.best, self.best_image = parts, np.array(image, np.float32)
        for name, value in self.best.items():
            self.history.setdefault(name, []).append(value)
        self.history["seconds"].append(time.perf_counter() - self.began)
        k = len(self.history["seconds"])
        if self.on_step and self.every and k % self.every == 0:
            self.on_step(k, self.best_image)
        if k >= self.budget:
            raise BudgetSpent

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        return kind is BudgetSpent or (kind is KeyboardInterrupt and self.best is not None)


# %% notebooks/04_style_transfer.ipynb 24
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


# %% notebooks/04_style_transfer.ipynb 41
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

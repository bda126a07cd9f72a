"""Convolution, pooling and small convolutional networks (lesson 02).

Read top to bottom:
1. convolution from scratch (a loop version that reads like the definition, and a vectorised
   one), with stride and 'valid' / 'same' / explicit zero padding exactly as tf.nn.conv2d
   defines them; hand-made kernels;
2. pooling (max and average) and small experiments on what it does;
3. parameter counting, and AlexNet rebuilt layer by layer from the 2012 paper;
4. the LeNet-like CNN and a comparable MLP, trained on procedurally generated shapes or digits;
5. what each layer sees: first-layer filters and feature maps;
6. two instructor demos (ipywidgets);
7. the shapes CNN saved in data/ for lesson 03:  python -m creative_lib.cnn rebuild-shapes-model
"""
import io
import sys
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from creative_lib import shapes
from creative_lib.images import load_image, to_gray
from creative_lib.plotting import as_displayable
from creative_lib.training import fit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SHAPES_MODEL_PATH = DATA_DIR / "shapes_cnn.keras"

# ----------------------------------------------------------------------------------------------
# 1. Convolution from scratch
# ----------------------------------------------------------------------------------------------


def pad_amounts(n, k, stride=1, padding="valid"):
    """(before, after) zero padding along one axis of length n, for a kernel of size k.

    padding: 'valid' (none), 'same' (TensorFlow's rule: the output has ceil(n / stride) positions
    and the odd pixel of padding goes after), an int p (p on each side) or a pair (before, after).
    """
    if isinstance(padding, str) and padding.lower() == "valid":
        return 0, 0
    if isinstance(padding, str) and padding.lower() == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + k - n, 0)
        return total // 2, total - total // 2
    if isinstance(padding, (int, np.integer)) and padding >= 0:
        return int(padding), int(padding)
    if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(int(p) >= 0 for p in padding):
        return int(padding[0]), int(padding[1])
    raise ValueError(f"padding must be 'valid', 'same', a non-negative int or a (before, after) pair; got {padding!r}.")


def output_size(n, k, stride=1, padding=0):
    """Positions a k-wide window visits along an axis of length n: floor((n + 2p - k) / stride) + 1."""
    before, after = pad_amounts(n, k, stride, padding)
    if stride < 1 or n + before + after < k:
        raise ValueError(f"A kernel of size {k} does not fit an input of size {n} padded by {before + after} "
                         f"(stride {stride}); use a smaller kernel, more padding or a stride >= 1.")
    return (n + before + after - k) // stride + 1


def _prepare(x, w, stride, padding):
    """Check shapes and zero-pad x: returns (padded x, (out_h, out_w))."""
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 3 or w.ndim != 4 or x.shape[2] != w.shape[2]:
        raise ValueError(f"conv2d takes x of shape (H, W, C_in) and w of shape (kh, kw, C_in, C_out); "
                         f"got x {x.shape} and w {w.shape}.")
    (kh, kw), (h, wd) = w.shape[:2], x.shape[:2]
    out = output_size(h, kh, stride, padding), output_size(wd, kw, stride, padding)
    pads = (pad_amounts(h, kh, stride, padding), pad_amounts(wd, kw, stride, padding), (0, 0))
    return np.pad(x, pads), out


def conv2d_loops(x, w, b=None, stride=1, padding="valid"):
    """Convolution (cross-correlation, as in every deep learning library) written as loops.

    x: (H, W, C_in), w: (kh, kw, C_in, C_out), b: (C_out,) or None -> (H', W', C_out).
    Each output pixel is the sum over the window of input times kernel, plus the bias.
    """
    xp, (out_h, out_w) = _prepare(x, w, stride, padding)
    kh, kw, _, c_out = w.shape
    y = np.zeros((out_h, out_w, c_out), dtype=np.result_type(xp, w))
    for i in range(out_h):
        for j in range(out_w):
            window = xp[i * stride:i * stride + kh, j * stride:j * stride + kw, :]  # (kh, kw, C_in)
            for o in range(c_out):
                y[i, j, o] = np.sum(window * w[..., o])
    return y if b is None else y + b


def conv2d(x, w, b=None, stride=1, padding="valid"):
    """The same convolution, vectorised: all windows at once, then one matrix product.

    x: (H, W, C_in), w: (kh, kw, C_in, C_out), b: (C_out,) or None -> (H', W', C_out).
    """
    xp, _ = _prepare(x, w, stride, padding)
    kh, kw = w.shape[:2]
    windows = sliding_window_view(xp, (kh, kw), axis=(0, 1))[::stride, ::stride]  # (H', W', C_in, kh, kw)
    y = np.tensordot(windows, np.transpose(w, (2, 0, 1, 3)), axes=3)
    return y if b is None else y + b


def filter2d(gray, kernel):
    """Apply one 2-D kernel to a grayscale image: HxW -> HxW.

    The image is padded by repeating its border pixels (not with zeros, which would draw a
    bright false edge around every photo), as much as 'same' padding would add.
    """
    gray, kernel = np.asarray(gray, dtype=np.float32), np.asarray(kernel, dtype=np.float32)
    pads = [pad_amounts(n, k, 1, "same") for n, k in zip(gray.shape, kernel.shape)]
    return conv2d(np.pad(gray, pads, mode="edge")[..., None], kernel[:, :, None, None])[..., 0]


KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "vertical edges (Sobel)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "box blur": [[1 / 9] * 3] * 3,
    "Gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
KERNELS = {name: np.array(k, dtype=np.float32) for name, k in KERNELS.items()}


def show_response(ax, response, kernel, title=None):
    """Draw a kernel's response: signed (blue/red) for kernels that sum to 0, gray otherwise."""
    if abs(float(np.sum(kernel))) < 1e-6:  # an edge detector: the sign says which way the edge goes
        limit = float(np.percentile(np.abs(response), 98)) or 1.0
        ax.imshow(response, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(np.clip(response, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title or "", fontsize=9)
    ax.axis("off")


def kernel_gallery(gray, kernels=None, ncols=4):
    """Each kernel applied to one grayscale photo, side by side; returns the Figure."""
    kernels = kernels or KERNELS
    nrows = -(-len(kernels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 3.1 * nrows), squeeze=False)
    for ax, (name, kernel) in zip(axes.flat, kernels.items()):
        show_response(ax, filter2d(gray, kernel), kernel, name)
    for ax in axes.flat[len(kernels):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# 2. Pooling
# ----------------------------------------------------------------------------------------------

POOL_EXAMPLE = np.array([[1, 4, 2, 7], [2, 6, 8, 5], [3, 4, 0, 7], [1, 2, 3, 1]], dtype=np.float32)


def pool2d(x, size=2, stride=None, mode="max"):
    """Max or average pooling with 'valid' windows: (H, W) or (H, W, C) -> (H', W'[, C]).

    stride defaults to size (non-overlapping windows, the usual choice).
    """
    x = np.asarray(x)
    stride = stride or size
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; got {mode!r}.")
    if min(x.shape[:2]) < size:
        raise ValueError(f"A {size}x{size} pooling window does not fit a {x.shape[0]}x{x.shape[1]} input.")
    windows = sliding_window_view(x, (size, size), axis=(0, 1))[::stride, ::stride]
    return windows.max(axis=(-2, -1)) if mode == "max" else windows.mean(axis=(-2, -1))


def relative_change(a, b):
    """||a - b|| / ||a||: how much b differs from a reference a."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-12))


def pooling_robustness(gray, kernel, sizes=(1, 2, 4, 8), noise=0.05, shift=1, seed=0):
    """How much a feature map changes under pixel noise or a small shift, before and after pooling.

    The feature map is the kernel's signed response (a conv layer's output before its ReLU).
    For each pool size s (1 = no pooling) it returns a row {"pool": s, "noise_max", "noise_avg",
    "shift_max", "shift_avg"}: the relative change of the max- or average-pooled map when the
    image gets Gaussian noise (std `noise`) or moves by `shift` pixels to the right.
    """
    rng = np.random.default_rng(seed)
    clean = filter2d(gray, kernel)
    noisy = filter2d(gray + rng.normal(0.0, noise, gray.shape).astype(np.float32), kernel)
    moved = filter2d(np.roll(gray, shift, axis=1), kernel)
    rows = []
    for s in sizes:
        row = {"pool": s}
        for mode in ("max", "avg"):
            ref = pool2d(clean, s, mode=mode)
            row[f"noise_{mode}"] = relative_change(ref, pool2d(noisy, s, mode=mode))
            row[f"shift_{mode}"] = relative_change(ref, pool2d(moved, s, mode=mode))
        rows.append(row)
    return rows


def strongest_kept(feature_map, size=4, top=0.01):
    """Mean of the top `top` fraction of values in the map, and in its max- and average-pooled maps."""
    def top_mean(a):
        flat = np.sort(a.ravel())
        return float(flat[-max(1, int(top * flat.size)):].mean())
    return {"original": top_mean(feature_map),
            "max pool": top_mean(pool2d(feature_map, size, mode="max")),
            "avg pool": top_mean(pool2d(feature_map, size, mode="avg"))}


# ----------------------------------------------------------------------------------------------
# 3. Counting parameters; AlexNet
# ----------------------------------------------------------------------------------------------


def dense_params(n_in, n_out, bias=True):
    """Weights of a fully connected layer: one per input-output pair, plus one bias per output."""
    return n_in * n_out + (n_out if bias else 0)


def conv_params(kh, kw, c_in, c_out, bias=True, groups=1):
    """Weights of a conv layer: one kh x kw x (c_in / groups) kernel per output channel, plus biases.

    The count does not depend on the image size: the same kernel slides everywhere.
    """
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide both c_in={c_in} and c_out={c_out}.")
    return kh * kw * (c_in // groups) * c_out + (c_out if bias else 0)


def keras_application_params(names=("VGG16", "VGG19", "InceptionV3")):
    """{name: (parameter count, seconds to build)} for keras.applications models built with weights=None.

    Nothing is downloaded: the layers are created with random weights just to be counted.
    """
    counts = {}
    for name in names:
        began = time.perf_counter()
        model = getattr(keras.applications, name)(weights=None)
        counts[name] = (int(model.count_params()), time.perf_counter() - began)
        del model
    keras.backend.clear_session()
    return counts


class LocalResponseNorm(keras.layers.Layer):
    """AlexNet's local response normalisation (section 3.3 of the paper).

    b = a / (k + alpha * sum of a^2 over `size` neighbouring channels) ^ beta, with the paper's
    k=2, size=5, alpha=1e-4, beta=0.75. It has no weights.
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        self.size, self.k, self.alpha, self.beta = size, k, alpha, beta

    def call(self, x):
        import tensorflow as tf

        return tf.nn.local_response_normalization(x, depth_radius=self.size // 2, bias=self.k,
                                                  alpha=self.alpha, beta=self.beta)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "k": self.k, "alpha": self.alpha, "beta": self.beta}


def build_alexnet(num_classes=1000):
    """AlexNet as Krizhevsky, Sutskever and Hinton describe it (NeurIPS 2012, section 3.5 and figure 2).

    The paper says 224x224 inputs, but its 11x11 stride-4 first layer only yields 55x55 maps from
    227x227, the size used here. Layers 2, 4 and 5 were split over two GPUs, each half seeing only
    the channels on its own GPU: that is `groups=2`, and it is why the count is ~61M, not more.
    """
    L = keras.layers
    inputs = keras.Input((227, 227, 3), name="image")
    x = L.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)           # 55x55x96
    x = L.MaxPooling2D(3, strides=2, name="pool1")(LocalResponseNorm(name="lrn1")(x))  # 27x27x96
    x = L.Conv2D(256, 5, padding="same", groups=2, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool2")(LocalResponseNorm(name="lrn2")(x))  # 13x13x256
    x = L.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = L.Conv2D(384, 3, padding="same", groups=2, activation="relu", name="conv4")(x)
    x = L.Conv2D(256, 3, padding="same", groups=2, activation="relu", name="conv5")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool5")(x)                                  # 6x6x256
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(4096, activation="relu", name="fc6")(L.Dropout(0.5, name="drop6")(x))
    x = L.Dense(4096, activation="relu", name="fc7")(L.Dropout(0.5, name="drop7")(x))
    outputs = L.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="alexnet_2012")


def alexnet_params_by_hand(num_classes=1000):
    """AlexNet's parameter count from the formulas alone, layer by layer."""
    return {
        "conv1": conv_params(11, 11, 3, 96),
        "conv2": conv_params(5, 5, 96, 256, groups=2),
        "conv3": conv_params(3, 3, 256, 384),
        "conv4": conv_params(3, 3, 384, 384, groups=2),
        "conv5": conv_params(3, 3, 384, 256, groups=2),
        "fc6": dense_params(6 * 6 * 256, 4096),
        "fc7": dense_params(4096, 4096),
        "fc8": dense_params(4096, num_classes),
    }


def layer_table(model):
    """[(layer name, output shape, parameters)] for every layer of a Keras model but its input."""
    return [(layer.name, tuple(layer.output.shape[1:]), int(layer.count_params()))
            for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


# ----------------------------------------------------------------------------------------------
# 4. Small networks: a LeNet-like CNN and a comparable MLP
# ----------------------------------------------------------------------------------------------


def build_cnn(input_shape, n_classes, filters=(16, 32, 64), first_kernel=5, dense=64, pool=True, head="global",
              name="cnn"):
    """A LeNet-like CNN: [conv -> ReLU -> 2x2 max pool] per entry of `filters`, then a dense head.

    head='global': a global max pool over positions before the dense layers, so the network
    answers "is this pattern anywhere?" and accepts images of any size (input_shape may be
    (None, None, C)). head='flatten': LeNet's own head, one weight per position (fixed size).
    pool=False drops the pooling layers (for the over-fitting experiment).
    """
    L = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = L.Conv2D(f, first_kernel if i == 1 else 3, padding="same", activation="relu", name=f"conv{i}")(x)
        if pool:
            x = L.MaxPooling2D(2, name=f"pool{i}")(x)
    if head == "global":
        x = L.GlobalMaxPooling2D(name="global_pool")(x)
    elif head == "flatten":
        x = L.Flatten(name="flatten")(x)
    else:
        raise ValueError(f"head must be 'global' or 'flatten'; got {head!r}.")
    x = L.Dense(dense, activation="relu", name="fc")(x)
    outputs = L.Dense(n_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


def build_mlp(input_shape, n_classes, hidden=(64,), standardize=True, name="mlp"):
    """A multi-layer perceptron on the flattened image: every pixel has its own weights.

    standardize: scale each image to zero mean and unit variance first (a weightless layer);
    without it, an MLP on raw pixels of random colours barely trains.
    """
    L = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = L.Flatten(name="flatten")(inputs)
    if standardize:
        x = L.LayerNormalization(center=False, scale=False, name="standardize")(x)
    for i, h in enumerate(hidden, start=1):
        x = L.Dense(h, activation="relu", name=f"fc{i}")(x)
    outputs = L.Dense(n_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


def mlp_width_for(n_params, n_inputs, n_classes):
    """The width of a one-hidden-layer MLP whose parameter count is closest to n_params."""
    per_unit = n_inputs + 1 + n_classes  # weights in, bias, weights out
    return max(1, round((n_params - n_classes) / per_unit))


def compile_classifier(model, learning_rate=2e-3):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def epochs_of(x, y, batch_size, seed=0):
    """Endless shuffled mini-batches (x[i], y[i]) over a fixed data set."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]


def train_classifier(model, batches, steps, *, run, name, learning_rate=2e-3, checkpoint=False):
    """Compile `model` and train it on (x, y) batches with creative_lib.training.fit; returns the History.

    checkpoint=True saves and resumes from OUTPUT_DIR/checkpoints/<name> (for longer runs).
    """
    compile_classifier(model, learning_rate)
    state = {"model": model, "optimizer": model.optimizer} if checkpoint else None
    return fit(lambda b: model.train_on_batch(*b, return_dict=True), batches, steps, run=run, name=name,
               state=state)


def accuracy(model, x, y, batch_size=256):
    """Fraction of images whose most probable class is the true one."""
    return float(np.mean(np.argmax(model.predict(x, batch_size=batch_size, verbose=0), axis=1) == y))


def load_digits_data(source="sklearn", test_fraction=0.25, seed=0):
    """Handwritten digits as ((x_train, y_train), (x_test, y_test), description), x float32 (n, H, W, 1) in [0, 1].

    source='sklearn': scikit-learn's 1,797 8x8 digits (installed, offline). source='mnist': the
    70,000 28x28 MNIST digits through the asset manager; when they cannot be had, a banner says
    why and how to fix it, and scikit-learn's digits are used instead.
    """
    if source == "mnist":
        from creative_lib import assets

        try:
            (x_tr, y_tr), (x_te, y_te) = assets.load_mnist()
            return ((x_tr[..., None] / np.float32(255), y_tr.astype(np.int32)),
                    (x_te[..., None] / np.float32(255), y_te.astype(np.int32)), "MNIST, 28x28")
        except assets.AssetUnavailable as err:
            assets.offline_banner(f"MNIST is not available here: {err} Continuing with scikit-learn's 8x8 digits instead.")
    elif source != "sklearn":
        raise ValueError(f"DIGITS must be 'sklearn' or 'mnist'; got {source!r}.")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    x_tr, x_te, y_tr, y_te = train_test_split(x, digits.target.astype(np.int32), test_size=test_fraction,
                                              random_state=seed, stratify=digits.target)
    return (x_tr, y_tr), (x_te, y_te), "scikit-learn digits, 8x8"


# ----------------------------------------------------------------------------------------------
# 5. What each layer sees
# ----------------------------------------------------------------------------------------------


def first_layer_filters(model):
    """The first conv layer's kernels as (C_out, kh, kw, C_in) images, each scaled to [0, 1]."""
    conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    w = np.transpose(conv.get_weights()[0], (3, 0, 1, 2))
    low, high = w.min(axis=(1, 2, 3), keepdims=True), w.max(axis=(1, 2, 3), keepdims=True)
    return (w - low) / np.maximum(high - low, 1e-8)


def feature_map_layers(model):
    """Names of the layers whose outputs are maps: convolutions and poolings."""
    kinds = (keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
    return [layer.name for layer in model.layers if isinstance(layer, kinds)]


def feature_maps(model, image, layers=None):
    """{layer name: (H, W, C) array} of the chosen layers' outputs for one (H, W, C_in) image."""
    layers = layers or feature_map_layers(model)
    probe = keras.Model(model.input, [model.get_layer(n).output for n in layers])
    outputs = probe(np.asarray(image, dtype=np.float32)[None], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {n: np.asarray(o)[0] for n, o in zip(layers, outputs)}


def strongest_channels(fmap, n):
    """Indices of the n channels of an (H, W, C) feature map with the largest mean activation, strongest first."""
    return np.argsort(fmap.reshape(-1, fmap.shape[-1]).mean(axis=0))[::-1][:n]


def plot_feature_maps(maps, image=None, channels=8, size=1.4):
    """One row per layer: its first `channels` maps (the strongest first); returns the Figure."""
    rows = len(maps) + (image is not None)
    fig, axes = plt.subplots(rows, channels, figsize=(size * channels, size * rows * 1.1), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if image is not None:
        axes[0, 0].imshow(as_displayable(image))
        axes[0, 0].set_title("input", fontsize=8)
    for r, (name, fmap) in enumerate(maps.items(), start=int(image is not None)):
        order = strongest_channels(fmap, channels)
        for ax, c in zip(axes[r], order):
            ax.imshow(fmap[..., c], cmap="viridis")
            ax.set_title(f"{name} #{c}", fontsize=7)
        axes[r, 0].text(-0.15, 0.5, f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}x{fmap.shape[2]}", fontsize=8,
                        transform=axes[r, 0].transAxes, ha="right", va="center")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# 6. Instructor demos (ipywidgets); each has render() -> Figure, and update() that shows it live
# ----------------------------------------------------------------------------------------------


class _Demo:
    """Shared plumbing: a photo picker with an upload button, an output area, and live redraws."""

    UPLOAD = "my own image (upload)"

    def __init__(self, images, max_side, min_side):
        import ipywidgets as w

        self.images, self.max_side, self.min_side = dict(images), max_side, min_side
        self.picker = w.Dropdown(options=list(self.images) + [self.UPLOAD], description="image")
        self.upload = w.FileUpload(accept="image/*", multiple=False, description="upload")
        self.message = w.HTML()
        self.view = w.Image(format="png")  # an image widget, not an Output area: it works in every client
        self.picker.observe(lambda _: self.update(), names="value")
        self.upload.observe(self._uploaded, names="value")

    def _uploaded(self, change):
        files = change["new"]
        if files:
            self.images[self.UPLOAD] = bytes(files[0]["content"])
            self.picker.value = self.UPLOAD
            self.update()

    def image(self, key=None):
        """The picked image as float32 HxWx3 (a user's upload goes through load_image)."""
        key = key or self.picker.value
        if key not in self.images:
            raise ValueError("No image uploaded yet: use the upload button first.")
        return load_image(self.images[key], max_side=self.max_side, min_side=self.min_side)

    def update(self, **choices):
        """Redraw the demo's picture; a refused input shows its one-sentence reason instead."""
        try:
            fig = self.render(**choices)
        except ValueError as err:  # a user's bad file: say what is accepted, keep the demo alive
            self.message.value = f"<b style='color:#c00'>{err}</b>"
            return
        self.message.value = ""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        self.view.value = buffer.getvalue()


class KernelDemo(_Demo):
    """Pick or type a 3x3 kernel and see its feature map on a chosen photo, live."""

    def __init__(self, photos, kernels=None, max_side=384):
        import ipywidgets as w

        super().__init__(photos, max_side, min_side=16)
        self.kernels = kernels or KERNELS
        self.preset = w.Dropdown(options=list(self.kernels), value="vertical edges (Sobel)", description="kernel")
        self.cells = [w.FloatText(layout=w.Layout(width="70px")) for _ in range(9)]
        self._load_preset()
        self.preset.observe(lambda _: (self._load_preset(), self.update()), names="value")
        for cell in self.cells:
            cell.observe(lambda _: self.update(), names="value")
        grid = w.GridBox(self.cells, layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
        self.ui = w.VBox([w.HBox([self.picker, self.upload]), w.HBox([self.preset, grid]), self.message, self.view])

    def _load_preset(self):
        self._loading = True
        for cell, value in zip(self.cells, self.kernels[self.preset.value].ravel()):
            cell.value = round(float(value), 4)
        self._loading = False

    def kernel(self):
        return np.array([c.value for c in self.cells], dtype=np.float32).reshape(3, 3)

    def update(self, **choices):
        if not getattr(self, "_loading", True):  # not while a preset fills the nine cells one by one
            super().update(**choices)

    def render(self, photo=None, kernel=None):
        """Photo, kernel and feature map side by side."""
        kernel = self.kernel() if kernel is None else np.asarray(kernel, dtype=np.float32)
        image = self.image(photo)
        response = filter2d(to_gray(image), kernel)
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), gridspec_kw={"width_ratios": [3, 1.2, 3]})
        axes[0].imshow(image)
        axes[0].set_title(f"photo ({image.shape[1]}x{image.shape[0]})", fontsize=9)
        axes[0].axis("off")
        axes[1].imshow(kernel, cmap="RdBu_r", vmin=-np.abs(kernel).max() or -1, vmax=np.abs(kernel).max() or 1)
        for (i, j), v in np.ndenumerate(kernel):
            strong = abs(v) > 0.6 * np.abs(kernel).max()
            axes[1].text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8, color="white" if strong else "black")
        axes[1].set_title("kernel", fontsize=9)
        axes[1].axis("off")
        show_response(axes[2], response, kernel, "feature map")
        fig.tight_layout()
        return fig


class FeatureMapDemo(_Demo):
    """Pick an image and a layer of a trained CNN, and see that layer's feature maps."""

    def __init__(self, model, images, max_side=96, min_side=24, channels=16):
        import ipywidgets as w

        super().__init__(images, max_side, min_side)
        self.model, self.channels = model, channels
        self.layer = w.Dropdown(options=feature_map_layers(model), description="layer")
        self.layer.observe(lambda _: self.update(), names="value")
        self.ui = w.VBox([w.HBox([self.picker, self.upload, self.layer]), self.message, self.view])

    def render(self, image=None, layer=None):
        """The input and up to `channels` maps of the chosen layer, strongest first."""
        layer = layer or self.layer.value
        img = self.image(image)
        fmap = feature_maps(self.model, img, [layer])[layer]
        probs = self.model(img[None], training=False).numpy()[0]
        cols = 1 + min(self.channels, fmap.shape[-1]) // 2
        fig, axes = plt.subplots(2, cols, figsize=(1.6 * cols, 4.0), squeeze=False, layout="constrained")
        for ax in axes.flat:
            ax.axis("off")
        axes[0, 0].imshow(img)
        names = shapes.CLASSES if len(probs) == len(shapes.CLASSES) else range(len(probs))
        best = int(np.argmax(probs))
        axes[0, 0].set_title(f"input\n→ {list(names)[best]} ({probs[best]:.0%})", fontsize=8)
        order = strongest_channels(fmap, 2 * (cols - 1))
        for ax, c in zip([a for row in axes for a in row[1:]], order):
            ax.imshow(fmap[..., c], cmap="viridis")
            ax.set_title(f"#{c}", fontsize=7)
        fig.suptitle(f"layer {layer}: {fmap.shape[0]}x{fmap.shape[1]}, {fmap.shape[2]} channels", fontsize=10)
        return fig


# ----------------------------------------------------------------------------------------------
# 7. The shapes CNN that lesson 03 dreams with
# ----------------------------------------------------------------------------------------------

SHAPES_SIZE = 48


def build_shapes_cnn():
    """The lesson's shapes CNN: fully convolutional up to a global max pool, so any image size works."""
    return build_cnn((None, None, 3), len(shapes.CLASSES), name="shapes_cnn")


CLASSROOM_STEPS = 600  # what the lesson trains in classroom, and what rebuild-shapes-model uses


def train_shapes_cnn(steps, *, run, seed=0, batch_size=64, name="shapes_cnn", checkpoint=True):
    """Build and train the shapes CNN on an endless stream of fresh random shapes; returns (model, History)."""
    keras.utils.set_random_seed(seed)
    model = build_shapes_cnn()
    batches = shapes.shape_batches(batch_size, seed=seed + 1, size=SHAPES_SIZE)
    history = train_classifier(model, batches, steps, run=run, name=name, checkpoint=checkpoint)
    return model, history


def rebuild_shapes_model(path=SHAPES_MODEL_PATH, steps=CLASSROOM_STEPS, seed=0):
    """Retrain the shapes CNN with the lesson's classroom settings and save it to `path`; returns test accuracy."""
    import tempfile

    from creative_lib.session import Run

    with tempfile.TemporaryDirectory() as tmp:
        model, _ = train_shapes_cnn(steps, run=Run("classroom", seed, tmp), seed=seed, checkpoint=False)
    x_test, y_test = shapes.make_shapes(1200, size=SHAPES_SIZE, seed=seed + 1000)
    acc = accuracy(model, x_test, y_test)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    clean = build_shapes_cnn()  # the same network without the optimizer's state: a smaller file
    clean.set_weights(model.get_weights())
    clean.save(path)
    return acc


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rebuild-shapes-model"]:
        from creative_lib.session import quiet_tensorflow, seed_everything

        quiet_tensorflow()
        seed_everything(0)
        acc = rebuild_shapes_model()
        print(f"Saved {SHAPES_MODEL_PATH.relative_to(DATA_DIR.parent)} (test accuracy {acc:.3f} on 1,200 fresh shapes).")
        return 0
    print("usage: python -m creative_lib.cnn rebuild-shapes-model", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

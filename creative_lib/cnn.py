# Generated from notebooks/02_cnns_and_pooling.ipynb by `make export`: edit the notebook, not this file.
# %% notebooks/02_cnns_and_pooling.ipynb 5
"""Lesson 02: convolution, pooling and small convolutional networks.

Images are (H, W, C) NumPy arrays or (B, H, W, C) batches; kernels are (kh, kw, C_in, C_out).
"""
import keras
import numpy as np
import tensorflow as tf
from numpy.lib.stride_tricks import sliding_window_view

from creative_lib.nn import accuracy, relative_error
from creative_lib.training import fit


# %% notebooks/02_cnns_and_pooling.ipynb 7
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


def pad_for_conv(x, w, stride, padding):
    """Check shapes and zero-pad x (H, W, C_in) for kernels w (kh, kw, C_in, C_out): (padded x, (H', W'))."""
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
    xp, (out_h, out_w) = pad_for_conv(x, w, stride, padding)
    kh, kw, _, c_out = w.shape
    y = np.zeros((out_h, out_w, c_out), dtype=np.result_type(xp, w))
    for i in range(out_h):
        for j in range(out_w):
            window = xp[i * stride:i * stride + kh, j * stride:j * stride + kw, :]  # (kh, kw, C_in)
            for o in range(c_out):
                y[i, j, o] = np.sum(window * w[..., o])
    return y if b is None else y + b


# %% notebooks/02_cnns_and_pooling.ipynb 13
def conv2d(x, w, b=None, stride=1, padding="valid"):
    """The same convolution, vectorised: all windows at once, then one matrix product.

    x: (H, W, C_in), w: (kh, kw, C_in, C_out), b: (C_out,) or None -> (H', W', C_out).
    """
    xp, _ = pad_for_conv(x, w, stride, padding)
    kh, kw = w.shape[:2]
    windows = sliding_window_view(xp, (kh, kw), axis=(0, 1))[::stride, ::stride]  # (H', W', C_in, kh, kw)
    y = np.tensordot(windows, np.transpose(w, (2, 0, 1, 3)), axes=3)
    return y if b is None else y + b


# %% notebooks/02_cnns_and_pooling.ipynb 17
def filter2d(gray, kernel):
    """Apply one 2-D kernel to a grayscale image: (H, W) -> (H, W), border pixels repeated as padding."""
    gray, kernel = np.asarray(gray, dtype=np.float32), np.asarray(kernel, dtype=np.float32)
    pads = [pad_amounts(n, k, 1, "same") for n, k in zip(gray.shape, kernel.shape)]
    return conv2d(np.pad(gray, pads, mode="edge")[..., None], kernel[:, :, None, None])[..., 0]


KERNELS = {name: np.array(k, dtype=np.float32) for name, k in {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "vertical edges (Sobel)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "box blur": [[1 / 9] * 3] * 3,
    "Gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}.items()}


# %% notebooks/02_cnns_and_pooling.ipynb 21
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


# %% notebooks/02_cnns_and_pooling.ipynb 29
def pooling_robustness(gray, kernel, sizes=(1, 2, 4, 8), noise=0.05, shift=1, seed=0):
    """How much a feature map changes under pixel noise or a small shift, before and after pooling.

    The feature map is the kernel's signed response (a conv layer's output before its ReLU).
    For each pool size s (1 = no pooling) it returns a row {"pool": s, "noise_max", "noise_avg",
    "shift_max", "shift_avg"}: the relative error of the max- or average-pooled map when the
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
            row[f"noise_{mode}"] = relative_error(ref, pool2d(noisy, s, mode=mode))
            row[f"shift_{mode}"] = relative_error(ref, pool2d(moved, s, mode=mode))
        rows.append(row)
    return rows


# %% notebooks/02_cnns_and_pooling.ipynb 32
def build_cnn(input_shape, n_classes, filters=(16, 32, 64), first_kernel=5, dense=64, pool=True, head="global",
              name="cnn"):
    """A LeNet-like CNN: [conv -> ReLU -> 2x2 max pool] per entry of `filters`, then a dense head.

    (B, *input_shape) -> class probabilities (B, n_classes).
    head='global': a global max pool over positions before the dense layers, so the network
    answers "is this pattern anywhere?" and accepts images of any size (input_shape may be
    (None, None, C)). head='flatten': LeNet's own head, one weight per position (fixed size).
    pool: "max" (or True) max-pools 2x2 after each convolution, "avg" average-pools, None (or False)
    does not pool (for the over-fitting experiment).
    """
    L = keras.layers
    pools = {True: L.MaxPooling2D, "max": L.MaxPooling2D, "avg": L.AveragePooling2D, False: None, None: None}
    if pool not in pools:
        raise ValueError(f"pool must be 'max', 'avg' or None; got {pool!r}.")
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = L.Conv2D(f, first_kernel if i == 1 else 3, padding="same", activation="relu", name=f"conv{i}")(x)
        if pools[pool]:
            x = pools[pool](2, name=f"pool{i}")(x)
    if head == "global":
        x = L.GlobalMaxPooling2D(name="global_pool")(x)
    elif head == "flatten":
        x = L.Flatten(name="flatten")(x)
    else:
        raise ValueError(f"head must be 'global' or 'flatten'; got {head!r}.")
    x = L.Dense(dense, activation="relu", name="fc")(x)
    outputs = L.Dense(n_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


def train_with_validation(model, x, y, x_val, y_val, epochs, batch_size=32, learning_rate=2e-3):
    """Keras's own compile and fit on (N, H, W, C) images x with labels y, measured on (x_val, y_val) after each epoch.

    Returns the History's dict, one value per epoch: loss and accuracy (means over the epoch's training
    batches), val_loss and val_accuracy (the validation set at the epoch's end). Losses are cross-entropies in nats.
    """
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=(x_val, y_val), verbose=0).history


def train_classifier(model, batches, steps, *, name, learning_rate=2e-3, checkpoint=None, plot=None):
    """Compile `model` (Adam, cross-entropy) and train it on (x, y) batches with creative_lib's fit.

    Returns fit's History.

    With a checkpoint (run.checkpoint(...)), training is saved there, resumes, and once finished is loaded.
    plot(losses) -> Figure, if given, draws the live figure.
    """
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return fit(lambda b: model.train_on_batch(*b, return_dict=True), batches, steps, name=name,
               state={"model": (model, model.optimizer)}, checkpoint=checkpoint, plot=plot)


def test_accuracy(model, x, y):
    """Accuracy of a Keras classifier on images x (N, H, W, C) with labels y (N,)."""
    return accuracy(model.predict(x, batch_size=256, verbose=0), y)


# %% notebooks/02_cnns_and_pooling.ipynb 36
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


# %% notebooks/02_cnns_and_pooling.ipynb 39
def conv_geometry(model):
    """[(name, kernel, stride)] of a Keras model's convolutions and poolings, in order (square kernels)."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            rows.append((layer.name, layer.kernel_size[0], layer.strides[0]))
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            rows.append((layer.name, layer.pool_size[0], layer.strides[0]))
    return rows


def receptive_fields(layers):
    """{name: (field, jump)} after each (name, kernel, stride) of a stack, per axis.

    field: how many input pixels one output value depends on; jump: input pixels between two
    neighbouring outputs. A layer adds (kernel - 1) x jump to the field and multiplies the jump by its stride.
    """
    field, jump, out = 1, 1, {}
    for name, kernel, stride in layers:
        field, jump = field + (kernel - 1) * jump, jump * stride
        out[name] = (field, jump)
    return out


# %% notebooks/02_cnns_and_pooling.ipynb 44
class LocalResponseNorm(keras.layers.Layer):
    """AlexNet's local response normalisation (section 3.3 of the paper).

    b = a / (k + alpha * sum of a^2 over `size` neighbouring channels) ^ beta, with the paper's
    k=2, size=5, alpha=1e-4, beta=0.75. It has no weights.
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        self.size, self.k, self.alpha, self.beta = size, k, alpha, beta

    def call(self, x):
        return tf.nn.local_response_normalization(x, depth_radius=self.size // 2, bias=self.k,
                                                  alpha=self.alpha, beta=self.beta)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "k": self.k, "alpha": self.alpha, "beta": self.beta}


def build_alexnet(num_classes=1000):
    """AlexNet as the 2012 paper describes it: (B, 227, 227, 3) -> (B, num_classes) probabilities."""
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


# %% notebooks/02_cnns_and_pooling.ipynb 51
def build_shapes_cnn():
    """The lesson's shapes CNN: fully convolutional up to a global max pool, so any image size works.

    (B, H, W, 3) in [0, 1] -> probabilities over the 6 classes of creative_lib.shapes.
    """
    return build_cnn((None, None, 3), 6, name="shapes_cnn")


# %% notebooks/02_cnns_and_pooling.ipynb 54
def train_shapes_cnn(steps, *, seed=0, batch_size=64, checkpoint=None, plot=None):
    """Build and train the shapes CNN on an endless stream of fresh 48x48 shapes; returns (model, History).

    plot(losses) -> Figure, if given, draws the live figure; it does not change the training.
    """
    from creative_lib import shapes

    keras.utils.set_random_seed(seed)
    model = build_shapes_cnn()
    batches = shapes.shape_batches(batch_size, seed=seed + 1, size=48)
    return model, train_classifier(model, batches, steps, name="shapes_cnn", checkpoint=checkpoint,
                                       plot=plot)


# %% notebooks/02_cnns_and_pooling.ipynb 62
def build_mlp(input_shape, n_classes, hidden=(64,), standardize=True, name="mlp"):
    """A multi-layer perceptron on the flattened image: (B, *input_shape) -> (B, n_classes) probabilities.

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


# %% notebooks/02_cnns_and_pooling.ipynb 66
def first_layer_filters(model):
    """The first conv layer's kernels as (C_out, kh, kw, C_in) images, each scaled to [0, 1]."""
    conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    w = np.transpose(conv.get_weights()[0], (3, 0, 1, 2))
    low, high = w.min(axis=(1, 2, 3), keepdims=True), w.max(axis=(1, 2, 3), keepdims=True)
    return (w - low) / np.maximum(high - low, 1e-8)


def edge_detectors(size=5, n=8, sigma=1.0):
    """n oriented edge detectors, (n, size, size), each of unit norm.

    Each is the derivative of a Gaussian across one direction (Sobel's smooth cousin); the
    directions turn by 180/n degrees from one to the next.
    """
    r = np.arange(size) - (size - 1) / 2
    xx, yy = np.meshgrid(r, r)
    bump = np.exp(-(xx ** 2 + yy ** 2) / (2 * sigma ** 2))
    d = np.stack([(np.cos(a) * xx + np.sin(a) * yy) * bump for a in np.arange(n) * np.pi / n])
    return d / np.linalg.norm(d, axis=(1, 2), keepdims=True)


def edge_similarity(kernels, detectors):
    """How much each kernel (kh, kw, C_in, C_out), summed over its input channels, looks like an edge detector.

    The largest |cosine| between the kernel, less its mean, and one of the detectors (n, kh, kw):
    1 for an edge detector, near 0 for a flat or an unrelated kernel. Returns (C_out,).
    """
    grey = np.asarray(kernels, dtype=np.float64).sum(axis=2)
    grey = grey - grey.mean(axis=(0, 1))
    grey = grey / np.maximum(np.linalg.norm(grey, axis=(0, 1)), 1e-12)
    return np.abs(np.tensordot(detectors, grey, axes=([1, 2], [0, 1]))).max(axis=0)


# %% notebooks/02_cnns_and_pooling.ipynb 70
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

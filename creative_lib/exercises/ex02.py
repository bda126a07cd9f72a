"""Checked exercises of lesson 02 (convolution and pooling).

    from creative_lib.exercises import ex02 as ex
    ex.q1.check(output_size); ex.q1.hint(); ex.q1.solution()

From a formula (q1, q2) to implementations (q3, q4), a designed kernel (q5), and Keras (q6, q7).
"""
import numpy as np

from creative_lib import cnn, shapes
from creative_lib.exercises.core import Case, Question

_rng = np.random.default_rng(2)
_IMAGE_5 = np.arange(25, dtype=np.float64).reshape(5, 5)
_IMAGE_7x6 = _rng.normal(size=(7, 6))
_KERNEL_3 = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def _same_whole_number(result, expected):
    if not isinstance(result, (int, np.integer)):
        return f"expected a whole number (an int: use //), got {type(result).__name__}"
    return None if result == expected else "a different number"


def output_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


q1 = Question(
    "q1", "The output-size formula",
    cases=[
        Case(args=(227, 11, 4, 0), label="AlexNet's first layer: n=227, k=11, stride 4, no padding"),
        Case(args=(32, 5, 1, 2), label="n=32, k=5, stride 1, padding 2 ('same')"),
        Case(args=(28, 5, 1, 0), label="LeNet's first layer: n=28, k=5, stride 1, no padding"),
        Case(args=(7, 3, 2, 0), label="n=7, k=3, stride 2, no padding"),
        Case(args=(6, 3, 2, 1), label="n=6, k=3, stride 2, padding 1 (the division rounds down)"),
    ],
    reference=cnn.output_size,
    compare=_same_whole_number,
    hint="Count the positions the window's left edge can take in the padded input of length n + 2*padding, "
         "moving `stride` at a time: (n + 2*padding - k) // stride + 1.",
    solution=output_size,
)


def conv_param_count(kh, kw, c_in, c_out):
    return (kh * kw * c_in + 1) * c_out


q2 = Question(
    "q2", "Parameters of a conv layer",
    cases=[
        Case(args=(3, 3, 3, 64), label="3x3 kernels, 3 input channels (RGB), 64 filters (VGG's first layer)"),
        Case(args=(11, 11, 3, 96), label="11x11 kernels, 3 input channels, 96 filters (AlexNet's conv1)"),
        Case(args=(5, 5, 6, 16), label="5x5 kernels, 6 input channels, 16 filters (LeNet-5's C3, fully connected)"),
        Case(args=(1, 1, 256, 64), label="1x1 kernels, 256 input channels, 64 filters (Inception's bottleneck)"),
    ],
    reference=cnn.conv_params,
    compare=_same_whole_number,
    hint="Each of the c_out filters has one weight per kernel position and input channel (kh*kw*c_in) "
         "and one bias. The image size does not appear: the same filter slides everywhere.",
    solution=conv_param_count,
)


def _conv2d_reference(image, kernel, stride=1, padding=0):
    return cnn.conv2d(image[..., None], kernel[:, :, None, None], stride=stride, padding=padding)[..., 0]


def conv2d(image, kernel, stride=1, padding=0):
    x = np.pad(image, padding)
    kh, kw = kernel.shape
    out_h = (x.shape[0] - kh) // stride + 1
    out_w = (x.shape[1] - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(window * kernel)
    return out


q3 = Question(
    "q3", "conv2d with stride and zero padding",
    cases=[
        Case(args=(_IMAGE_5, _KERNEL_3), label="5x5 image, 3x3 kernel, stride 1, no padding"),
        Case(args=(_IMAGE_5, _KERNEL_3), kwargs={"padding": 1}, label="5x5 image, 3x3 kernel, padding 1"),
        Case(args=(_IMAGE_7x6, _rng.normal(size=(3, 3))), kwargs={"stride": 2, "padding": 1},
             label="7x6 image, 3x3 kernel, stride 2, padding 1"),
        Case(args=(_IMAGE_7x6, _rng.normal(size=(2, 4))), kwargs={"stride": 3},
             label="7x6 image, 2x4 kernel, stride 3, no padding"),
    ],
    reference=_conv2d_reference,
    hint="Pad with np.pad(image, padding) first. Output size per axis: (n + 2*padding - k) // stride + 1. "
         "Output pixel (i, j) is np.sum(window * kernel) with window = padded[i*stride : i*stride+kh, "
         "j*stride : j*stride+kw]. No flipping of the kernel: deep learning 'convolution' is a cross-correlation.",
    solution=conv2d,
)


def _max_pool_reference(x, size=2, stride=2):
    return cnn.pool2d(x, size, stride, mode="max")


def max_pool2d(x, size=2, stride=2):
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.empty((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = x[i * stride:i * stride + size, j * stride:j * stride + size].max()
    return out


q4 = Question(
    "q4", "max_pool2d",
    cases=[
        Case(args=(cnn.POOL_EXAMPLE,), label="the lesson's 4x4 example, 2x2 windows, stride 2"),
        Case(args=(-np.abs(_rng.normal(size=(6, 6))),), kwargs={"size": 3, "stride": 3},
             label="6x6 of negative numbers, 3x3 windows, stride 3"),
        Case(args=(_IMAGE_7x6,), kwargs={"size": 2, "stride": 1}, label="7x6 image, overlapping 2x2 windows, stride 1"),
        Case(args=(_IMAGE_5,), label="5x5 image: the last row and column do not fill a window and are dropped"),
    ],
    reference=_max_pool_reference,
    hint="Output size per axis: (n - size) // stride + 1. Each output value is the max of one window "
         "x[i*stride : i*stride+size, j*stride : j*stride+size]. Start from the window's values, not from 0: "
         "inputs may be negative.",
    solution=max_pool2d,
)


def _edge_images(n=12):
    """A vertical step edge, a horizontal one, and a flat image (n x n)."""
    vertical = np.zeros((n, n), dtype=np.float32)
    vertical[:, n // 2:] = 1.0
    return vertical, vertical.T.copy(), np.full((n, n), 0.7, dtype=np.float32)


def _check_vertical_edge_kernel(kernel, case):
    k = np.asarray(kernel, dtype=np.float64)
    if k.shape != (3, 3):
        return f"return a 3x3 array; got shape {k.shape}"
    if not np.all(np.isfinite(k)):
        return "the kernel holds NaN or infinity"
    vertical, horizontal, flat = _edge_images()
    inner = (slice(2, -2), slice(2, -2))  # away from the border, where filter2d repeats edge pixels
    on_vertical = np.abs(cnn.filter2d(vertical, k)[inner]).max()
    on_horizontal = np.abs(cnn.filter2d(horizontal, k)[inner]).max()
    on_flat = np.abs(cnn.filter2d(flat, k)[inner]).max()
    if on_vertical < 1e-3:
        return "the kernel does not respond to a vertical edge (dark left half, bright right half)"
    if on_flat > 0.05 * on_vertical:
        return (f"the kernel responds to a flat gray image ({on_flat:.3g} vs {on_vertical:.3g} on the edge): "
                "make its weights sum to 0")
    if on_horizontal > 0.1 * on_vertical:
        return (f"the kernel also responds to a horizontal edge ({on_horizontal:.3g} vs {on_vertical:.3g} on the "
                "vertical one): it should compare left with right, not top with bottom")
    return None


def vertical_edge_kernel():
    return np.array([[-1, 0, 1],
                     [-2, 0, 2],
                     [-1, 0, 1]], dtype=float)   # Sobel's kernel; [[-1, 0, 1]] * 3 (Prewitt) works too


q5 = Question(
    "q5", "Design a kernel that finds vertical edges",
    cases=[Case(label="a vertical edge, a horizontal edge and a flat image")],
    checker=_check_vertical_edge_kernel,
    hint="A vertical edge is a change from left to right. Give the left column negative weights and the right "
         "column positive ones, so that the weights sum to 0 (a flat area then gives 0).",
    solution=vertical_edge_kernel,
)


def _same_counts(result, expected):
    if not isinstance(result, dict) or set(result) != set(expected):
        return f"expected a dict with the keys {sorted(expected)}"
    for key in expected:
        if not isinstance(result[key], (int, np.integer)):
            return f"[{key!r}]: expected a whole number (an int), got {type(result[key]).__name__}"
        if result[key] != expected[key]:
            return f"[{key!r}]: a different number"
    return None


def _head_params_by_keras(h, w, c, dense, n_classes):
    """What Keras counts for the lesson's two heads (build_cnn with no conv blocks) on an h x w x c map."""
    return {head: cnn.build_cnn((h, w, c), n_classes, filters=(), dense=dense, head=head).count_params()
            for head in ("global", "flatten")}


def head_params(h, w, c, dense, n_classes):
    per_head = lambda n_in: (n_in * dense + dense) + (dense * n_classes + n_classes)  # fc, then classes
    return {"global": per_head(c), "flatten": per_head(h * w * c)}


q6 = Question(
    "q6", "Parameters of a global-pool head and a flatten head",
    cases=[
        Case(args=(6, 6, 64, 64, 6), label="the shapes CNN's last map on 48x48 images: 6x6x64, fc 64, 6 classes"),
        Case(args=(12, 12, 16, 64, 6), label="the over-fitting experiment's map: 12x12x16, fc 64, 6 classes"),
        Case(args=(7, 7, 32, 128, 10), label="a 7x7x32 map, fc 128, 10 classes"),
    ],
    reference=_head_params_by_keras,
    compare=_same_counts,
    hint="A global pool hands the first dense layer c numbers (one per channel), a flatten h*w*c. "
         "A dense layer from n_in to n_out has n_in*n_out weights and n_out biases; the head is fc (to `dense` "
         "units), then classes (to n_classes).",
    solution=head_params,
)


def _images(n=12, seed=5):
    return shapes.make_shapes(n, seed=seed)[0]


def _brightest_column_class(images):
    """A position-bound 'classifier': the class is which sixth of the width holds the brightest column."""
    columns = images.mean(axis=(1, 3))
    one_hot = np.zeros((len(images), 6))
    one_hot[np.arange(len(images)), columns.argmax(axis=1) * 6 // images.shape[2]] = 1
    return one_hot


def _mean_colour_class(images):
    """A position-free 'classifier': the class is the image's dominant colour channel."""
    return np.repeat(images.mean(axis=(1, 2)), 2, axis=1)


def prediction_kept(predict, images, shift):
    before = np.argmax(predict(images), axis=1)
    after = np.argmax(predict(np.roll(images, shift, axis=2)), axis=1)
    return float(np.mean(before == after))


q7 = Question(
    "q7", "How often does a prediction survive a shift?",
    cases=[
        Case(args=(_mean_colour_class, _images(), 8), label="a classifier that ignores positions, shift 8"),
        Case(args=(_brightest_column_class, _images(), 8), label="a classifier bound to positions, shift 8"),
        Case(args=(_brightest_column_class, _images(), 1), label="the same, shift 1"),
        Case(args=(_brightest_column_class, _images(), -5), label="the same, shift -5 (to the left)"),
    ],
    reference=prediction_kept,
    hint="predict(images) returns class probabilities (N, n_classes): take argmax over axis 1. Move the images "
         "`shift` pixels to the right with np.roll(images, shift, axis=2) (axis 2 is the width of (N, H, W, C)), "
         "predict again, and return the share of images whose class did not change, as a float.",
    solution=prediction_kept,
)

"""Lesson 02: convolution and pooling from scratch, shapes, images, the CNNs, and the lesson's metrics."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import creative_lib  # noqa: F401  (quiet TensorFlow first)
import keras
from skimage.color import rgb2gray

from creative_lib import backbones, cnn, cnnplots, nn, shapes, tables
from creative_lib.demos.lesson02 import FeatureMapDemo, KernelDemo
from creative_lib.exercises import ex02
from creative_lib.images import load_image

LESSON = "notebooks/02_cnns_and_pooling.ipynb"
RNG = np.random.default_rng(0)

# ---------------------------------------------------------------- convolution


CONFIGS = [(9, 9, 3, 1, "valid"), (9, 8, 3, 2, "same"), (10, 7, 4, 3, "same"), (12, 11, 5, 2, "valid"),
           (7, 7, 2, 2, "same"), (6, 6, 1, 1, "same"), (8, 8, 3, 1, 1), (8, 9, 3, 2, 2)]


@pytest.mark.parametrize("h, w, k, stride, padding", CONFIGS)
def test_conv2d_matches_tf_and_loops(h, w, k, stride, padding):
    x = RNG.normal(size=(h, w, 3)).astype(np.float32)
    kernel = RNG.normal(size=(k, k, 3, 4)).astype(np.float32)
    bias = RNG.normal(size=4).astype(np.float32)
    tf_padding = padding.upper() if isinstance(padding, str) else [[0, 0], [padding] * 2, [padding] * 2, [0, 0]]
    expected = tf.nn.conv2d(x[None], kernel, stride, tf_padding)[0].numpy() + bias
    for conv in (cnn.conv2d_loops, cnn.conv2d):
        got = conv(x, kernel, bias, stride, padding)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_conv2d_by_hand():
    image = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 1]], dtype=np.float32)[..., None]
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float32)[:, :, None, None]
    # window sums: 1*1 - 1*1 = 0, 2 - 3 = -1, 0 - 1 = -1, 1 - 1 = 0
    np.testing.assert_array_equal(cnn.conv2d(image, kernel)[..., 0], [[0, -1], [-1, 0]])


@pytest.mark.parametrize("n, k, stride, padding, expected", [
    (227, 11, 4, "valid", 55), (32, 5, 1, 2, 32), (7, 3, 2, "valid", 3), (7, 3, 2, "same", 4),
    (8, 3, 2, "same", 4), (6, 3, 2, 1, 3), (5, 5, 1, "valid", 1)])
def test_output_size(n, k, stride, padding, expected):
    assert cnn.output_size(n, k, stride, padding) == expected


def test_same_padding_puts_the_odd_zero_after():
    assert cnn.pad_amounts(8, 4, 1, "same") == (1, 2)
    assert cnn.pad_amounts(7, 3, 2, "same") == (1, 1)
    assert cnn.pad_amounts(8, 3, 2, "same") == (0, 1)


def test_conv_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="does not fit"):
        cnn.output_size(3, 5, 1, "valid")
    with pytest.raises(ValueError, match="padding must be"):
        cnn.pad_amounts(5, 3, 1, "full")
    with pytest.raises(ValueError, match=r"\(H, W, C_in\)"):
        cnn.conv2d(np.zeros((5, 5)), np.zeros((3, 3, 1, 1)))


def test_filter2d_keeps_size_and_finds_vertical_edges():
    step = np.zeros((10, 10), dtype=np.float32)
    step[:, 5:] = 1
    response = cnn.filter2d(step, cnn.KERNELS["vertical edges (Sobel)"])
    assert response.shape == (10, 10)
    assert np.abs(response[2:-2, 2:-2]).max() == pytest.approx(4.0)
    assert np.abs(cnn.filter2d(step.T, cnn.KERNELS["vertical edges (Sobel)"])[2:-2, 2:-2]).max() == 0
    for name in ("box blur", "Gaussian blur", "identity", "sharpen"):
        assert cnn.KERNELS[name].sum() == pytest.approx(1.0), name  # brightness preserved


# ---------------------------------------------------------------- pooling


def test_pool_example():
    np.testing.assert_array_equal(cnn.pool2d(cnn.POOL_EXAMPLE, 2, mode="max"), [[6, 8], [4, 7]])
    np.testing.assert_allclose(cnn.pool2d(cnn.POOL_EXAMPLE, 2, mode="avg"), [[3.25, 5.5], [2.5, 2.75]])


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (3, 3), (2, 1)])
def test_pooling_matches_tf(size, stride):
    x = RNG.normal(size=(9, 8, 3)).astype(np.float32)
    for mode, op in (("max", tf.nn.max_pool2d), ("avg", tf.nn.avg_pool2d)):
        expected = op(x[None], size, stride, "VALID")[0].numpy()
        np.testing.assert_allclose(cnn.pool2d(x, size, stride, mode), expected, atol=1e-6)


def test_pooling_experiments_show_the_claims():
    import skimage.data

    gray = rgb2gray(load_image(skimage.data.camera(), max_side=256))
    rows = cnn.pooling_robustness(gray, cnn.KERNELS["vertical edges (Sobel)"], sizes=(1, 2, 4))
    assert rows[0]["pool"] == 1
    assert rows[-1]["noise_avg"] < rows[0]["noise_avg"]
    assert rows[-1]["shift_max"] < rows[0]["shift_max"]


def test_receptive_fields_by_formula():
    layers = cnn.conv_geometry(cnn.build_shapes_cnn())
    assert layers[:2] == [("conv1", 5, 1), ("pool1", 2, 2)]
    fields = cnn.receptive_fields(layers)
    assert fields["conv2"] == (10, 2) and fields["pool3"] == (24, 8)
    assert cnn.receptive_fields([("a", 3, 1), ("b", 3, 1), ("c", 3, 1)])["c"] == (7, 1)  # three 3x3 see 7x7
    alexnet = cnn.receptive_fields(cnn.conv_geometry(cnn.build_alexnet()))
    assert alexnet["conv1"] == (11, 4) and alexnet["pool1"] == (19, 8)


def test_edge_similarity_tells_edge_detectors_from_other_kernels():
    detectors = cnn.edge_detectors(3)
    assert detectors.shape == (8, 3, 3)
    np.testing.assert_allclose(np.linalg.norm(detectors, axis=(1, 2)), 1)
    as_layer = lambda *ks: np.stack(ks, axis=-1)[:, :, None, :]  # (3, 3) kernels -> (3, 3, 1, C_out)
    kernels = [cnn.KERNELS[name] for name in ("vertical edges (Sobel)", "horizontal edges (Sobel)", "box blur",
                                              "outline (Laplacian)")]
    scores = cnn.edge_similarity(as_layer(*kernels), detectors)
    assert scores[0] > 0.99 and scores[1] > 0.99
    assert scores[2] == pytest.approx(0, abs=1e-6) and scores[3] < 0.1  # flat and symmetric kernels: no edge
    rgb = np.repeat(cnn.KERNELS["vertical edges (Sobel)"][:, :, None, None], 3, axis=2)  # summed over colours
    assert cnn.edge_similarity(rgb, detectors)[0] == pytest.approx(scores[0])


# ---------------------------------------------------------------- parameters, AlexNet, models


@pytest.mark.parametrize("kh, kw, c_in, c_out", [(3, 3, 3, 64), (5, 5, 6, 16), (1, 1, 256, 64)])
def test_conv_params_match_keras(kh, kw, c_in, c_out):
    layer = keras.layers.Conv2D(c_out, (kh, kw))
    layer.build((None, 32, 32, c_in))
    assert cnn.conv_params(kh, kw, c_in, c_out) == layer.count_params()
    dense = keras.layers.Dense(c_out)
    dense.build((None, c_in))
    assert cnn.dense_params(c_in, c_out) == dense.count_params()


def test_alexnet_has_the_papers_shapes_and_sixty_million_parameters():
    model = cnn.build_alexnet()
    assert model.count_params() == sum(cnn.alexnet_params_by_hand().values()) == 60_965_224
    shapes_by_name = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes_by_name["conv1"] == (55, 55, 96)
    assert shapes_by_name["pool2"] == (13, 13, 256)
    assert shapes_by_name["pool5"] == (6, 6, 256)
    table = tables.layer_table(model)
    assert table.rows[0] == ["conv1", "(55, 55, 96)", "34,944"] and table.rows[-1][-1] == "60,965,224"


def test_cnn_builders():
    model = cnn.build_shapes_cnn()
    assert model.count_params() == 28_902
    for size in (32, 80):  # fully convolutional: any image size
        assert model(np.zeros((2, size, size, 3), np.float32)).shape == (2, len(shapes.CLASSES))
    mlp = cnn.build_mlp((48, 48, 3), 6, hidden=(nn.width_for_params(28_902, depth=1, n_in=48 * 48 * 3, n_out=6),))
    assert abs(mlp.count_params() - 28_902) < 48 * 48 * 3
    with pytest.raises(ValueError, match="head"):
        cnn.build_cnn((48, 48, 3), 6, head="dense")
    with pytest.raises(ValueError, match="pool must be"):
        cnn.build_cnn((48, 48, 3), 6, pool="min")
    kinds = {pool: [type(layer).__name__ for layer in cnn.build_cnn((48, 48, 3), 6, filters=(8, 16), pool=pool,
                                                                    head="flatten").layers]
             for pool in ("max", "avg", None)}
    assert kinds["max"].count("MaxPooling2D") == 2 and kinds["avg"].count("AveragePooling2D") == 2
    assert not any("Pooling" in k for k in kinds[None])
    unpooled = cnn.build_cnn((48, 48, 3), 6, filters=(8, 16), pool=None, head="flatten").count_params()
    pooled = cnn.build_cnn((48, 48, 3), 6, filters=(8, 16), pool="max", head="flatten").count_params()
    assert (unpooled, pooled) == (2_361_526, 149_686)  # the head sees 16 times more values without pooling


def test_train_with_validation_reports_both_sets_every_epoch():
    x, y = shapes.make_shapes(24, seed=3)
    model = cnn.build_cnn((48, 48, 3), 6, filters=(4,), dense=8, head="global")
    history = cnn.train_with_validation(model, x, y, x[:12], y[:12], epochs=2, batch_size=8)
    assert set(history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in history.values())
    assert history["val_loss"][-1] == pytest.approx(model.evaluate(x[:12], y[:12], verbose=0)[0], rel=1e-4)


def test_keras_applications_build_quickly_with_random_weights():
    """The lesson counts VGG16's, VGG19's and Inception v3's parameters; building each took about 1 s here."""
    import time

    for name in ("VGG16", "VGG19", "InceptionV3"):
        began = time.perf_counter()
        getattr(keras.applications, name)(weights=None)
        assert time.perf_counter() - began < 20, name
        keras.backend.clear_session()


def test_feature_maps_and_filters():
    model = cnn.build_shapes_cnn()
    maps = cnn.feature_maps(model, np.zeros((48, 48, 3), np.float32))
    assert list(maps) == ["conv1", "pool1", "conv2", "pool2", "conv3", "pool3"]
    assert maps["pool1"].shape == (24, 24, 16) and maps["pool3"].shape == (6, 6, 64)
    filters = cnn.first_layer_filters(model)
    assert filters.shape == (16, 5, 5, 3) and filters.min() >= 0 and filters.max() <= 1


def test_kernel_gallery_draws_with_the_filter_it_is_given():
    """The notebook passes its own filter2d, so that a student's edit shows in the figure."""
    seen = []
    fig = cnnplots.kernel_gallery(np.zeros((8, 8), np.float32), {"a": np.eye(3), "b": np.ones((3, 3))},
                                  lambda gray, kernel: seen.append(kernel) or gray)
    assert len(seen) == 2 and [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]


def test_training_figures_label_their_axes():
    import matplotlib.pyplot as plt

    fig = cnnplots.training_plot("net")({"loss": [1.8, 1.2, 0.9], "accuracy": [0.2, 0.5, 0.7]})
    assert [ax.get_ylabel() for ax in fig.axes] == ["cross-entropy (nats)", "accuracy"]
    plt.close(fig)
    history = {"loss": [1.7, 1.0], "accuracy": [0.3, 0.7], "val_loss": [1.6, 1.4], "val_accuracy": [0.3, 0.5]}
    fig = cnnplots.plot_overfitting({"a": [history, history]}, chance=1 / 6)
    assert [ax.get_ylabel() for ax in fig.axes] == ["cross-entropy (nats)", "accuracy"]
    assert "2 seeds" in fig._suptitle.get_text()
    plt.close(fig)
    summary = cnnplots.overfitting_summary({"a": [history, history]})["a"]
    assert summary["test_accuracy"] == 0.5 and summary["train_accuracy"] == 0.7 and summary["best_epochs"] == [2, 2]


def test_prediction_grid_shows_failures():
    import matplotlib.pyplot as plt

    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    probs = np.eye(3)[labels]
    probs[[2, 6]] = np.eye(3)[[0, 2]]  # two wrong answers, late in the set
    fig = cnnplots.plot_predictions(np.zeros((8, 8, 8)), probs, labels, ["a", "b", "c"], n=4, failures=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 4 and titles[:2] == ["a 100%", "b 100%"]
    assert sum("WRONG" in t for t in titles) == 2 and "WRONG (is a)" in titles[-1]
    assert "2 wrong; the last 2 shown are wrong" in fig._suptitle.get_text()
    plt.close(fig)


def test_stored_shapes_model_loads_and_classifies_new_shapes():
    model = backbones.shapes_cnn()
    assert [layer.name for layer in model.layers][-2:] == ["fc", "classes"]
    x, y = shapes.make_shapes(300, seed=123)
    assert cnn.test_accuracy(model, x, y) >= 0.95


def test_demos_render_any_user_image():
    import matplotlib.pyplot as plt

    kernel_demo = KernelDemo({"gray16": (RNG.random((40, 50)) * 65535).astype(np.uint16)})
    fig = kernel_demo.render(photo="gray16", kernel=cnn.KERNELS["sharpen"])
    assert [ax.get_title() for ax in fig.axes] == ["photo (50x40)", "kernel", "feature map"]
    plt.close(fig)
    kernel_demo.update()
    first = kernel_demo.view.value
    assert first[:4] == b"\x89PNG" and kernel_demo.message.value == ""
    kernel_demo.preset.value = "box blur"  # what a person does: pick another kernel
    assert kernel_demo.view.value[:4] == b"\x89PNG" and kernel_demo.view.value != first
    kernel_demo.images["bad"] = b"not an image"
    kernel_demo.update(photo="bad")  # refused in one sentence, not raised
    assert "not an image" in kernel_demo.message.value and kernel_demo.message.value.count(".") <= 2
    layer_demo = FeatureMapDemo(cnn.build_shapes_cnn(), {"rgba": RNG.integers(0, 256, (300, 200, 4), np.uint8)})
    fig = layer_demo.render(layer="conv2")
    assert "layer conv2" in fig._suptitle.get_text() and "32 channels" in fig._suptitle.get_text()
    plt.close(fig)
    # a 16-bit grayscale image, and an RGBA one with a transparent border, as a user may upload them
    sixteen_bit = (np.linspace(0, 65535, 200 * 300).reshape(200, 300)).astype(np.uint16)
    rgba = np.dstack([np.repeat(sixteen_bit[..., None] // 257, 3, axis=2).astype(np.uint8),
                      np.pad(np.full((160, 260), 255, np.uint8), 20)])
    for name, array in (("16-bit grayscale", sixteen_bit), ("8-bit RGBA", rgba)):
        layer_demo.images[name] = array
        plt.close(layer_demo.render(image=name, layer="conv1"))
        assert layer_demo.image(name).shape == (64, 96, 3)


def test_feature_map_demo_says_which_maps_are_all_zero():
    import matplotlib.pyplot as plt

    model = cnn.build_shapes_cnn()
    kernels, biases = model.get_layer("conv1").get_weights()
    biases[:4], biases[4:] = -100.0, 100.0  # four filters that never fire (ReLU of a negative is 0), twelve always
    model.get_layer("conv1").set_weights([kernels, biases])
    fig = FeatureMapDemo(model, {"shape": shapes.make_shapes(1, seed=1)[0][0]}).render(layer="conv1")
    assert "4 shown are 0 everywhere" in fig._suptitle.get_text()
    assert sum(ax.get_title().endswith("all 0") for ax in fig.axes) == 4
    plt.close(fig)


# ---------------------------------------------------------------- shapes data set


def test_shapes_are_deterministic_balanced_and_in_range():
    x1, y1 = shapes.make_shapes(60, seed=7)
    x2, y2 = shapes.make_shapes(60, seed=7)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == (60, 48, 48, 3) and x1.dtype == np.float32 and y1.dtype == np.int32
    assert x1.min() >= 0 and x1.max() <= 1
    assert np.bincount(y1).tolist() == [10] * 6
    assert not np.array_equal(x1, shapes.make_shapes(60, seed=8)[0])


def _shape_centre(image):
    """Centre of mass of the pixels that differ most from the border colour."""
    border = np.median(np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]), axis=0)
    mask = np.abs(image - border).sum(-1) > 0.5
    ys, xs = np.nonzero(mask)
    return np.array([ys.mean(), xs.mean()])


def test_placements_put_shapes_where_they_say():
    size = 48
    centred, _ = shapes.make_shapes(30, size=size, seed=1, placement="centred", radius=(0.12, 0.22), noise=0.0)
    shifted, _ = shapes.make_shapes(30, size=size, seed=1, placement="shifted", radius=(0.12, 0.22), noise=0.0)
    off_c = np.array([np.abs(_shape_centre(im) - size / 2).max() for im in centred])
    off_s = np.array([np.abs(_shape_centre(im) - size / 2).max() for im in shifted])
    assert off_c.max() < 3
    assert off_s.min() > 4 and off_s.mean() > 8


def test_shape_stream_is_reproducible_and_bad_arguments_are_refused():
    a = next(shapes.shape_batches(8, seed=3))
    b = next(shapes.shape_batches(8, seed=3))
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="placement"):
        shapes.make_shapes(4, placement="corner")
    with pytest.raises(ValueError, match="size >= 16"):
        shapes.make_shapes(4, size=8)


# ---------------------------------------------------------------- images (shared by later lessons)


def test_load_image_converts_every_mode(tmp_path):
    gray = (np.arange(32 * 40) % 256).reshape(32, 40).astype(np.uint8)
    out = load_image(gray)
    assert out.shape == (32, 40, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., 0], gray / 255, atol=1e-6)

    rgba = np.zeros((20, 20, 4), np.uint8)  # black but fully transparent: composited on white
    rgba[:10, :, 3] = 255
    out = load_image(rgba)
    assert out[15, 5].tolist() == [1, 1, 1] and out[5, 5].tolist() == [0, 0, 0]

    palette = Image.fromarray(gray).convert("P")
    assert load_image(palette).shape == (32, 40, 3)

    sixteen = (np.linspace(0, 65535, 32 * 40).reshape(32, 40)).astype(np.uint16)
    path = tmp_path / "sixteen.png"
    Image.fromarray(sixteen).save(path)
    out = load_image(path)
    assert out.max() == pytest.approx(1.0) and out.min() == 0.0
    np.testing.assert_allclose(out[..., 0], sixteen / 65535, atol=1e-6)

    assert load_image(np.ones((20, 20), bool)).max() == 1.0
    assert load_image(np.full((20, 20, 3), 128.0)).max() == pytest.approx(128 / 255)


def test_load_image_sizes(tmp_path):
    big = load_image(np.zeros((3000, 1500, 3), np.uint8), max_side=512)
    assert big.shape == (512, 256, 3)
    small = load_image(np.zeros((8, 12), np.uint8), min_side=16)
    assert small.shape == (16, 24, 3)
    with pytest.raises(ValueError, match="at least 16 pixels"):
        load_image(np.zeros((8, 12), np.uint8), min_side=16, upscale_small=False)


def test_load_image_refuses_bad_input_in_one_sentence(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for bad in (text, b"\x00\x01 not an image", np.zeros((4, 4, 5)), np.full((20, 20), np.nan), 42):
        with pytest.raises(ValueError) as info:
            load_image(bad)
        message = str(info.value)
        assert message.count(". ") == 0 and message.endswith("."), message
    with pytest.raises(FileNotFoundError):
        load_image(tmp_path / "missing.png")


def test_load_image_never_touches_the_file(tmp_path):
    path = tmp_path / "photo.png"
    Image.fromarray((RNG.random((400, 300, 3)) * 255).astype(np.uint8)).save(path)
    before, stamp = path.read_bytes(), path.stat().st_mtime_ns
    load_image(path, max_side=64)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stamp


# ---------------------------------------------------------------- exercises


def test_vertical_edge_exercise_tells_wrong_kernels_apart():
    sobel = cnn.KERNELS["vertical edges (Sobel)"]
    assert ex02.q5.verdict(lambda: sobel)[0] == "correct"
    assert "horizontal" in ex02.q5.verdict(lambda: sobel.T)[1]
    assert "sum to 0" in ex02.q5.verdict(lambda: np.ones((3, 3)))[1]
    assert "3x3" in ex02.q5.verdict(lambda: np.ones(3))[1]


def test_a_flipped_kernel_is_named_as_the_failing_case():
    def flipped(image, kernel, stride=1, padding=0):
        x = np.pad(image, padding)
        k = kernel[::-1, ::-1]
        return cnn.conv2d(x[..., None], k[:, :, None, None], stride=stride)[..., 0]

    status, message = ex02.q3.verdict(flipped)
    assert status == "incorrect" and "case 1 of 4" in message and "expected" in message


def test_exercises_go_from_formulas_to_implementations():
    assert [q.title for q in (ex02.q1, ex02.q2, ex02.q3)] == ["The output-size formula", "Parameters of a conv layer",
                                                               "conv2d with stride and zero padding"]


def test_keras_exercises_catch_the_usual_mistakes():
    no_biases = lambda h, w, c, dense, n: {"global": c * dense + dense * n, "flatten": h * w * c * dense + dense * n}
    status, message = ex02.q6.verdict(no_biases)
    assert status == "incorrect" and "a different number" in message
    assert ex02.q6.expected_for(ex02.q6.cases[0]) == {"global": 4_550, "flatten": 147_910}
    unshifted = lambda predict, images, shift: float(np.mean(predict(images).argmax(1) == predict(images).argmax(1)))
    assert ex02.q7.verdict(unshifted)[0] == "incorrect"
    wrong_axis = lambda predict, images, shift: float(np.mean(
        predict(images).argmax(1) == predict(np.roll(images, shift, axis=1)).argmax(1)))
    assert ex02.q7.verdict(wrong_axis)[0] == "incorrect"


# ---------------------------------------------------------------- the lesson's metrics


def test_lesson_metrics_in_smoke(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert m["pool_example"] == [[6, 8], [4, 7]]
    assert m["conv_vs_tf_max_abs_diff"] < 1e-5
    assert m["vgg16_params"] == 138_357_544
    assert m["vgg19_params"] == 143_667_240
    assert m["inceptionv3_params"] == 23_851_784
    assert m["alexnet_params"] == 60_965_224
    assert m["shapes_cnn_params"] == 28_902
    assert m["stored_model_test_accuracy"] >= 0.95  # data/shapes_cnn.keras, the same in every profile
    # smoke trains 30 to 60 steps: better than chance (1/6) on shapes, well above it on digits (measured 0.40, 0.69)
    assert m["shapes_test_accuracy"] > 0.25 and m["digits_test_accuracy"] > 0.4
    assert m["receptive_field_last"] == 24 and m["overfit_seeds"] == 1


def test_stored_classroom_metrics(stored_metrics):
    m = stored_metrics(LESSON)
    assert m["profile"] == "classroom"
    assert m["pool_example"] == [[6, 8], [4, 7]]
    assert m["conv_vs_tf_max_abs_diff"] < 1e-5
    assert m["vgg16_params"] == 138_357_544
    assert m["shapes_test_accuracy"] >= 0.95
    assert m["shifted_accuracy_cnn"] > m["shifted_accuracy_mlp"]
    assert m["centred_accuracy_mlp"] >= 0.8, "the MLP must learn centred shapes, or the comparison proves nothing"
    # claims 2 and 4 as the lesson states them, over 3 seeds
    assert m["overfit_seeds"] == 3
    assert m["overfit_test_accuracy_pooled"] > m["overfit_test_accuracy_avgpool"] > m["overfit_test_accuracy_unpooled"]
    assert m["overfit_test_loss_unpooled"] > 2 * m["overfit_test_loss_pooled"]  # the unpooled test loss climbs
    gap_pooled = m["overfit_train_accuracy_pooled"] - m["overfit_test_accuracy_pooled"]
    gap_unpooled = m["overfit_train_accuracy_unpooled"] - m["overfit_test_accuracy_unpooled"]
    assert 0.2 < gap_pooled < gap_unpooled, "pooling narrows the gap but does not close it"
    # section 6: edge-like, not clean, and four dead filters
    assert m["conv1_edge_similarity"] > m["conv1_edge_similarity_untrained"] + 0.2
    assert m["conv1_edge_similarity"] < 0.8 and m["conv1_dead_filters"] == 4
    assert m["receptive_field_last"] == 24


def test_rebuild_command_writes_a_model_the_shapes_backbone_loads(tmp_path):
    """`python -m creative_lib.shapes_model rebuild` (here 3 steps, not 600) keeps working."""
    from creative_lib.shapes_model import rebuild_shapes_model

    path = tmp_path / "shapes_cnn.keras"
    assert 0 <= rebuild_shapes_model(path, steps=3) <= 1
    rebuilt, stored = backbones.shapes_cnn(path), backbones.shapes_cnn()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in stored.layers]

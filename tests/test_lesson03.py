"""Lesson 03: the dream loss and step, octaves, tiles, feature visualisation, FGSM, the demos, the metrics."""
from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf

import creative_lib  # noqa: F401  (quiet TensorFlow first)
from creative_lib import dream, shapes
from creative_lib.backbones import load_backbone
from creative_lib.classifiers import load_classifier
from creative_lib.demos.lesson03 import AttackDemo, DreamDemo
from creative_lib.exercises import ex03
from creative_lib.images import resize

LESSON = "notebooks/03_deepdream.ipynb"
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def hed():
    return load_backbone("vgg16_hed", layers=["block2_conv2", "block3_conv3", "block4_conv3"])


@pytest.fixture(scope="module")
def shapes_net():
    return load_classifier("shapes")


# ---------------------------------------------------------------- the dream loss and step

def test_dream_loss_is_the_weighted_sum_of_mean_activations():
    acts = {"a": np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2), "b": np.ones((1, 3, 3, 4), np.float32)}
    assert float(dream.dream_loss(acts, {"a": 2.0, "b": -1.0})) == pytest.approx(2 * 3.5 - 1)


def test_normalised_step_moves_by_step_size_standard_deviations_and_clips():
    image = np.full((1, 4, 4, 3), 0.5, np.float32)
    grad = RNG.normal(size=image.shape).astype(np.float32) * 1e-3
    moved = dream.normalised_step(image, grad, 0.01).numpy() - image
    assert np.std(moved) == pytest.approx(0.01, rel=1e-3)  # the gradient's own scale does not matter
    assert np.all(np.sign(moved) == np.sign(grad))
    assert dream.normalised_step(image, grad * 1e6, 5.0).numpy().min() >= 0.0


def test_dreamer_gradient_matches_finite_differences(hed):
    dreamer = dream.Dreamer(hed, {"block2_conv2": 1.0})
    image = tf.constant(RNG.uniform(0.2, 0.8, (1, 32, 32, 3)).astype(np.float32))
    loss, grad = dreamer.gradient(image)
    direction = RNG.normal(size=image.shape).astype(np.float32)
    h = 1e-4  # in [0, 1] pixels: 0.03 in the network's 0-255 space, small against the ReLU kinks
    plus = dream.dream_loss(hed.select(["block2_conv2"]).features(image + h * direction), dreamer.weights)
    minus = dream.dream_loss(hed.select(["block2_conv2"]).features(image - h * direction), dreamer.weights)
    numeric = (float(plus) - float(minus)) / (2 * h)
    assert float(tf.reduce_sum(grad * direction)) == pytest.approx(numeric, rel=2e-2)


def test_ascend_raises_the_loss_and_keeps_pixels_valid(hed):
    dreamer = dream.Dreamer(hed, {"block3_conv3": 1.0})
    photo = tf.constant(RNG.uniform(0, 1, (1, 48, 48, 3)).astype(np.float32))
    before = float(dreamer.gradient(photo)[0])
    _, after = dreamer.ascend(photo, tf.constant(5), tf.constant(0.01))
    assert float(dreamer.gradient(after)[0]) > 1.5 * before
    assert 0.0 <= float(tf.reduce_min(after)) and float(tf.reduce_max(after)) <= 1.0


def test_unknown_layers_and_zero_weights_are_refused_in_one_sentence(hed):
    with pytest.raises(ValueError, match="no layer 'mixed9'.*block1_conv1, block1_conv2"):
        dream.Dreamer(hed, {"mixed9": 1.0})
    with pytest.raises(ValueError, match="at least one layer"):
        dream.Dreamer(hed, {"block3_conv3": 0.0})


# ---------------------------------------------------------------- octaves and tiles

def test_octave_sizes_end_at_the_photo_and_skip_what_the_network_cannot_take():
    assert dream.octave_sizes((384, 384), 3, 1.4) == [(196, 196), (274, 274), (384, 384)]
    assert dream.octave_sizes((100, 160), 4, 2.0, min_side=32) == [(50, 80), (100, 160)]
    with pytest.raises(ValueError, match="20x20 pixels; this network needs at least 32"):
        dream.octave_sizes((20, 20), 3, 2.0, min_side=32)


def test_next_octave_adds_back_exactly_the_lost_detail():
    photo = tf.constant(RNG.uniform(0.2, 0.8, (1, 30, 40, 3)).astype(np.float32))
    small = resize(photo, (15, 20))
    # an undreamed photo, taken up an octave with re-injection, is the photo again; without it, a blur
    np.testing.assert_allclose(dream.next_octave(small, photo, (15, 20), (30, 40)).numpy(), photo.numpy(), atol=1e-5)
    blurred = dream.next_octave(small, photo, (15, 20), (30, 40), reinject=False).numpy()
    assert np.abs(blurred - photo.numpy()).mean() > 0.05


def test_tile_edges_cover_the_image_in_nearly_equal_pieces():
    assert dream.tile_edges(4000, 512).tolist() == [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]
    assert dream.tile_edges(300, 512).tolist() == [0, 300]
    edges = dream.tile_edges(1025, 512)
    assert edges[0] == 0 and edges[-1] == 1025 and np.diff(edges).max() <= 512 and np.diff(edges).min() >= 341


def test_tiled_gradient_equals_the_whole_gradient_for_a_pixelwise_loss():
    fake = SimpleNamespace(gradient=lambda t: (None, 2 * t))  # d/dx sum(x^2): no tile sees its neighbours
    image = tf.constant(RNG.uniform(0, 1, (1, 70, 90, 3)).astype(np.float32))
    grad = dream.tiled_gradient(fake, image, 32, np.random.default_rng(1))
    np.testing.assert_allclose(np.asarray(grad), 2 * image.numpy(), rtol=1e-6)


def test_tiles_too_small_for_the_network_are_refused(hed):
    with pytest.raises(ValueError, match="use tile >= 64"):
        dream.dream_octaves(dream.Dreamer(hed, {"block2_conv2": 1.0}), np.zeros((100, 100, 3), np.float32), tile=40)


def test_tiled_step_only_ever_shows_the_network_one_tile():
    seen = []

    def gradient(tile):
        seen.append(tuple(tile.shape[1:3]))
        return None, 2 * tile

    image = tf.constant(RNG.uniform(0, 1, (1, 130, 250, 3)).astype(np.float32))
    out = dream.tiled_step(SimpleNamespace(gradient=gradient), image, 0.01, 64, np.random.default_rng(0))
    assert out.shape == image.shape and np.abs(out.numpy() - image.numpy()).max() > 0
    assert max(h for h, _ in seen) <= 64 and max(w for _, w in seen) <= 64  # memory bounded by the tile
    assert sum(h * w for h, w in seen) == 130 * 250  # and every pixel covered once


def test_roll_offsets_replay_the_rolls_of_a_tiled_dream(hed, monkeypatch):
    drawn, real = [], dream.tiled_gradient

    class Recorder:
        def __init__(self, rng):
            self.rng = rng

        def integers(self, *args, **kwargs):
            drawn.append(self.rng.integers(*args, **kwargs))
            return drawn[-1]

    monkeypatch.setattr(dream, "tiled_gradient", lambda d, image, tile, rng: real(d, image, tile, Recorder(rng)))
    image = RNG.uniform(0, 1, (96, 160, 3)).astype(np.float32)
    dream.dream_octaves(dream.Dreamer(hed, {"block2_conv2": 1.0}), image, octaves=2, scale=2.0, steps=(2, 3), tile=64)
    assert len(drawn) == 5  # both octaves are wider than a tile
    np.testing.assert_array_equal(np.array(drawn), dream.roll_offsets(0, 5, 64))


def test_a_large_dream_keeps_its_size(hed):
    dreamer = dream.Dreamer(hed, {"block2_conv2": 1.0})
    image = RNG.uniform(0, 1, (96, 160, 3)).astype(np.float32)
    out = dream.dream_octaves(dreamer, image, octaves=2, scale=2.0, steps=2, step_size=0.02, tile=64)
    assert out.shape == image.shape and np.isfinite(out).all() and np.abs(out - image).mean() > 0.005
    again = dream.dream_octaves(dreamer, image, octaves=2, scale=2.0, steps=2, step_size=0.02, tile=64)
    np.testing.assert_allclose(again, out, atol=1e-5)  # the rolls come from the seed: a run repeats


def test_reinjection_keeps_more_detail_than_the_tutorial(hed):
    from skimage.data import astronaut

    from creative_lib.images import load_image

    photo = load_image(astronaut(), max_side=96)
    assert dream.detail_kept(photo, photo) == pytest.approx(1.0)
    dreamer = dream.Dreamer(hed, {"block3_conv3": 1.0})
    sharp, blurry = (dream.dream_octaves(dreamer, photo, 3, 1.4, 3, 0.01, reinject=r) for r in (True, False))
    assert dream.detail_kept(photo, sharp) > 1.5 * dream.detail_kept(photo, blurry)


# ---------------------------------------------------------------- Inception v3's code path (random weights)

def test_inception_v3_code_path_runs_with_random_weights():
    net = load_backbone("inception_v3", layers=["mixed3", "mixed5"], weights="random")
    dreamer = dream.Dreamer(net, {"mixed3": 1.0, "mixed5": 1.5})
    photo = RNG.uniform(0, 1, (220, 180, 3)).astype(np.float32)
    # octaves 157x129 (one tile) and 220x180 (2x2 tiles of 110x90): the octave and tiled paths both run
    out = dream.dream_octaves(dreamer, photo, octaves=3, scale=1.4, steps=1, step_size=0.01, tile=160)
    assert out.shape == photo.shape and np.isfinite(out).all() and np.abs(out - photo).max() > 0
    with pytest.raises(ValueError, match="at least 75"):
        dream.dream_octaves(dreamer, photo[:60])
    image, history = dream.visualise(net.select(["mixed3"]), dream.channel_objective("mixed3", 5), size=80, steps=2)
    assert image.shape == (80, 80, 3) and len(history) == 2
    classifier = load_classifier("inception_v3", weights="random")
    assert classifier.model.output_shape == (None, 1000)
    x = RNG.uniform(0, 1, (1, 299, 299, 3)).astype(np.float32)
    x_adv = dream.fgsm(classifier, x, dream.predict(classifier, x), 0.007)
    assert np.abs(x_adv - x).max() == pytest.approx(0.007, abs=1e-6)


# ---------------------------------------------------------------- feature visualisation

def test_fourier_parameterisation_gives_valid_smooth_images():
    scale = dream.fourier_scale(16)
    assert scale.shape == (16, 9) and scale[0, 0] == 16 and scale[0, 1] == pytest.approx(16)
    params = tf.constant(RNG.normal(0, 0.01, (2, 3, 2, 16, 9)).astype(np.float32))
    images = dream.fourier_image(params, scale).numpy()
    assert images.shape == (2, 16, 16, 3) and images.min() > 0 and images.max() < 1
    noise = RNG.uniform(0, 1, (16, 16, 3))
    assert dream.high_frequency_share(images[0]) < dream.high_frequency_share(noise)
    checkerboard = np.indices((16, 16)).sum(axis=0) % 2 * np.ones((3, 1, 1))
    assert dream.high_frequency_share(checkerboard.transpose(1, 2, 0)) == pytest.approx(1.0)
    smooth = np.sin(np.linspace(0, np.pi, 16))[:, None, None] * np.ones((16, 16, 3))
    assert dream.high_frequency_share(smooth) < 0.01


def test_random_transform_moves_each_image_its_own_way():
    one = RNG.uniform(0, 1, (1, 32, 32, 3)).astype(np.float32)
    images = tf.constant(np.repeat(one, 2, axis=0))
    moved = dream.random_transform(images).numpy()
    assert moved.shape == images.shape and np.abs(moved - images.numpy()).mean() > 0.01
    assert np.abs(moved[0] - moved[1]).mean() > 0.01  # two copies of one image, two transforms
    repeat = [dream.random_transform(images, rng=tf.random.Generator.from_seed(3)).numpy() for _ in range(2)]
    np.testing.assert_allclose(repeat[0], repeat[1])  # a seeded generator repeats its transforms
    dot = np.zeros((1, 31, 31, 3), np.float32)
    dot[0, 15, 15] = 1.0
    turned = dream.random_transform(tf.constant(dot), jitter=0, scale=0.05, degrees=30).numpy()[0, ..., 0]
    assert np.unravel_index(turned.argmax(), turned.shape) == (15, 15)  # turning and zooming keep the centre
    still = dream.random_transform(images, jitter=0, scale=0, degrees=0).numpy()
    np.testing.assert_allclose(still, images.numpy(), atol=1e-5)


def test_visualise_raises_the_objective_and_refuses_unknown_parameterisations(shapes_net):
    image, history = dream.visualise(shapes_net, lambda logits: logits[:, 2], size=32, steps=20)
    assert history[-1] > history[0] + 1 and image.shape == (32, 32, 3)
    with pytest.raises(ValueError, match="'pixels' or 'fourier'"):
        dream.visualise(shapes_net, lambda logits: logits[:, 0], param="wavelets")


def test_receptive_fields_match_vgg16s_arithmetic(hed):
    # 3x3 convolutions add 2 pixels times the stride so far, 2x2 pools 1 and double the stride
    assert [dream.receptive_field(hed, name) for name in ("block2_conv2", "block3_conv3", "block4_conv3")] == [14, 40, 92]


def test_dataset_examples_are_the_strongest_non_overlapping_crops():
    identity = SimpleNamespace(features=lambda images: {"rgb": images})  # the "filter" is the red channel itself
    a, b = np.zeros((40, 50, 3), np.float32), np.zeros((30, 30, 3), np.float32)
    a[5, 6, 0], a[7, 8, 0], a[30, 40, 0], b[15, 15, 0] = 0.9, 0.8, 0.5, 0.7
    found = dream.dataset_examples(identity, "rgb", 0, {"a": a, "b": b}, crop=10, count=3)
    assert [(name, round(score, 2)) for name, score, _ in found] == [("a", 0.9), ("b", 0.7), ("a", 0.5)]  # 0.8 overlaps 0.9
    assert all(crop.shape == (10, 10, 3) for _, _, crop in found)
    assert found[0][2][:, :, 0].max() == pytest.approx(0.9) and found[0][2][0, 0, 0] == 0  # clamped into the photo
    assert found[1][2][5, 5, 0] == pytest.approx(0.7)  # centred on the unit


def test_pattern_width_grows_with_the_blob():
    rows, cols = np.indices((128, 128))
    blob = lambda sigma: np.exp(-((rows - 64) ** 2 + (cols - 64) ** 2) / (2 * sigma ** 2))[..., None] * np.ones(3)  # noqa: E731
    # a Gaussian's autocorrelation is a Gaussian sqrt(2) wider: half at 1.665 sigma, width 3.33 sigma
    assert [dream.pattern_width(blob(s)) for s in (3, 6)] == pytest.approx([3.33 * 3, 3.33 * 6], rel=0.05)
    stripes = np.cos(2 * np.pi * np.arange(64) / 8)[None, :, None] * np.ones((64, 1, 3))
    assert dream.pattern_width(stripes) < dream.pattern_width(stripes[:, ::-1].repeat(2, axis=1))


# ---------------------------------------------------------------- FGSM

def test_fgsm_moves_every_pixel_by_epsilon_and_lowers_accuracy(shapes_net):
    x, y = shapes.make_shapes(200, seed=77)
    x_adv = dream.fgsm(shapes_net, x, y, 0.03)
    moved = np.abs(x_adv - x)[(x > 0.03) & (x < 0.97)]  # where clipping cannot bite
    # every pixel moves by exactly epsilon, except where the max pools pass no gradient at all
    assert np.all(np.isclose(moved, 0.03, atol=1e-6) | (moved == 0)) and np.mean(moved > 0) > 0.3
    clean, attacked = dream.accuracy_under_attack(shapes_net, x, y, [0.0, 0.05])
    assert clean >= 0.95 and attacked < clean - 0.3
    assert np.mean(dream.predict(shapes_net, x_adv) == y) < clean
    grid = [0.01, 0.02, 0.05, 0.3]
    flips = dream.flip_epsilon(shapes_net, x[:20], y[:20], grid)
    for i, found in enumerate(flips):  # against a brute-force search, image by image
        wrong = [e for e in grid if dream.predict(shapes_net, dream.fgsm(shapes_net, x[i:i + 1], y[i:i + 1], e))[0] != y[i]]
        assert found == (wrong[0] if wrong else np.inf)


# ---------------------------------------------------------------- demos

def test_dream_demo_dreams_live_saves_and_refuses_bad_uploads(hed, tmp_path):
    photos = {"noise": RNG.uniform(0, 1, (72, 96, 3)).astype(np.float32)}
    demo = DreamDemo(hed, photos, layers=["block2_conv2", "block3_conv3"], weights={"block3_conv3": 1.0},
                     output_dir=tmp_path, steps=2)
    first = demo.view.value
    shown = []
    demo.view.observe(lambda change: shown.append(change["new"]), names="value")
    result = demo.dream(octaves=2)
    assert result.shape == (72, 96, 3) and len(shown) >= 3 and demo.view.value != first  # it grew live
    saved = demo.save()
    assert saved.exists() and saved.name == "dream_001.png" and "Saved dream_001.png" in demo.message.value
    assert demo.save().name == "dream_002.png"  # never overwrites
    demo.dream(weights={"block3_conv3": 0.0})
    assert "at least one layer" in demo.message.value
    demo.images[demo.UPLOAD] = b"not an image"
    demo.upload_name = "notes.txt"
    demo.picker.value = demo.UPLOAD
    assert "notes.txt" in demo.message.value and "not an image" in demo.message.value


def test_attack_demo_redraws_when_epsilon_moves(shapes_net):
    x, y = shapes.make_shapes(3, seed=5)
    demo = AttackDemo(shapes_net, {f"#{i}": im for i, im in enumerate(x)})
    before = demo.view.value
    demo.update(epsilon=0.1)
    assert demo.epsilon.value == 0.1 and demo.view.value != before
    fig = demo.render(epsilon=0.2)
    assert fig.axes[2].get_title().startswith("ε = 0.2: ")
    assert fig.axes[1].get_title().endswith("unmoved (grey)")  # the demo says what the lesson's prose says


# ---------------------------------------------------------------- exercises

def test_exercise_checks_tell_wrong_answers_apart():
    assert ex03.q1.verdict(lambda acts, weights: sum(np.mean(a) for a in acts.values()))[0] == "incorrect"
    assert ex03.q2.verdict(lambda image, grad, s: np.clip(image + s * grad, 0, 1))[0] == "incorrect"
    no_reinjection = lambda d, photo, previous, size: resize(d, size)  # noqa: E731
    assert ex03.q3.verdict(no_reinjection)[0] == "incorrect"
    assert ex03.q4.verdict(lambda g, image, tile, shift: g(image))[0] == "incorrect"  # no tiles
    descend = lambda model, images, labels, eps: ex03.fgsm(model, images, labels, -eps)  # noqa: E731
    assert ex03.q5.verdict(descend)[0] == "incorrect"
    descend = lambda features, channel, size, steps, lr=0.05: ex03.feature_visualisation(  # noqa: E731
        features, channel, size, steps, -lr)
    assert ex03.q6.verdict(descend)[0] == "incorrect"
    assert ex03.q6.verdict(lambda features, channel, size, steps, lr=0.05: np.ones((size, size)))[0] == "incorrect"


# ---------------------------------------------------------------- the lesson's metrics

def test_lesson_metrics_in_smoke(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert m["backbone"] == "vgg16_hed" and m["imagenet_weights"] is False  # nothing to download in the tests
    assert m["image_size"] == 96
    assert m["activation_gain"] > 1.2
    assert m["fgsm_clean_accuracy"] >= 0.95 and m["fgsm_accuracy_at_eps"] < m["fgsm_clean_accuracy"]
    assert m["detail_kept_reinjected"] > m["detail_kept_tutorial"]
    assert m["fv_robustness_fourier"] > m["fv_robustness_naive"]
    assert m["fv_high_frequency_fourier"] < m["fv_high_frequency_naive"]
    assert m["fv_objective_naive_over_fourier"] > 1  # the naive images reach the higher objective
    assert m["detail_kept_gentle_reinjected"] > m["detail_kept_gentle_tutorial"]
    assert m["grid_receptive_fields"] == [14, 40, 92, 196]
    assert 0.05 < m["fgsm_zero_gradient_share"] < 0.6
    assert m["seconds"] < 90


def test_stored_classroom_metrics(stored_metrics):
    m = stored_metrics(LESSON)
    assert m["profile"] == "classroom" and m["backbone"] == "vgg16_hed"
    assert m["image_size"] == 384 and m["large_image_pixels"] >= 4000 * 2666
    assert m["activation_gain"] > 3
    assert m["detail_kept_reinjected"] > 2 * m["detail_kept_tutorial"]
    assert m["fgsm_clean_accuracy"] >= 0.95 and m["fgsm_accuracy_at_eps"] < 0.6
    assert m["fv_robustness_fourier"] > m["fv_robustness_naive"]
    assert m["fv_objective_naive_over_fourier"] > 1.5  # the prose: the naive images reach the highest objective
    assert m["detail_kept_gentle_reinjected"] > 1.5 * m["detail_kept_gentle_tutorial"]
    assert m["grid_receptive_fields"] == [14, 40, 92, 196]
    assert max(m["grid_changes"]) < 1.5 * min(m["grid_changes"])  # comparable changes, layer by layer
    assert m["grid_pattern_widths"] == sorted(m["grid_pattern_widths"], reverse=True)  # the prose: finer with depth
    assert 0.15 < m["fgsm_zero_gradient_share"] < 0.45  # the grey share the prose explains
    assert m["seconds"] < 600

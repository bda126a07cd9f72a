"""Lesson 06: the haze model, depth, the dark channel prior, the CycleGAN's and pix2pix's networks, losses,
pool and schedule, tiled translation, the photos, the demo, the exercises and the lesson's metrics."""
import datetime
import html
import io
import re

import ipywidgets as w
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import creative_lib  # noqa: F401  (quiet TensorFlow first)
import keras
from creative_lib import cyclegan, photos
from creative_lib.demos.lesson06 import DefogDemo
from creative_lib.images import psnr

LESSON = "notebooks/06_cyclegan_defogging.ipynb"

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- the lesson's code

def test_fog_follows_koschmieder_and_keeps_a_clear_photo_at_zero_density():
    rng = np.random.default_rng(0)
    clear = rng.uniform(0, 1, (6, 8, 3)).astype(np.float32)
    depth = np.full((6, 8), 50.0, np.float32)
    foggy = cyclegan.add_fog(clear, depth, beta=0.02, airlight=(0.9, 0.8, 0.7))
    t = np.exp(-1.0)
    np.testing.assert_allclose(foggy, clear * t + np.array([0.9, 0.8, 0.7]) * (1 - t), rtol=1e-5)
    np.testing.assert_allclose(cyclegan.add_fog(clear, depth, beta=0.0), clear)
    uneven = cyclegan.add_fog(clear, depth, 0.02, 0.9, unevenness=0.5, rng=np.random.default_rng(1))
    assert uneven.shape == clear.shape and not np.allclose(uneven, cyclegan.add_fog(clear, depth, 0.02, 0.9))
    field = cyclegan.smooth_field((20, 30), np.random.default_rng(2))
    assert field.shape == (20, 30) and np.abs(field).max() == pytest.approx(1.0)


def test_depth_from_disparity_uses_the_rig_and_fills_unmatched_pixels():
    disparity = np.array([[100.0, np.inf], [50.0, 50.0]], np.float32)
    depth = cyclegan.depth_from_disparity(disparity, focal_px=1000.0, baseline_mm=200.0, doffs_px=0.0)
    assert depth[0, 0] == pytest.approx(2.0) and depth[1, 0] == pytest.approx(4.0)
    assert depth[0, 1] in (pytest.approx(2.0), pytest.approx(4.0))  # its nearest matched neighbour
    real = cyclegan.depth_from_disparity(photos.motorcycle_disparity(), **photos.MOTORCYCLE_CALIBRATION)
    assert np.isfinite(real).all() and 1.0 < real.min() < real.max() < 10.0  # metres, a room


def test_ground_depth_has_inverse_depth_linear_in_the_row():
    depth = cyclegan.ground_depth(5, 3, near=10.0, far=100.0)
    assert depth[-1, 0] == pytest.approx(10.0) and depth[0, 0] == pytest.approx(100.0)
    np.testing.assert_allclose(np.diff(1.0 / depth[:, 0]), np.diff(1.0 / depth[:, 0])[0], rtol=1e-5)


def test_dark_channel_prior_recovers_a_fogged_photo_that_has_dark_pixels():
    rng = np.random.default_rng(0)
    clear = rng.uniform(0.2, 0.9, (96, 96, 3)).astype(np.float32)
    clear[::4, ::4] = 0.0  # a dark pixel in every patch: the prior holds
    depth = np.repeat(np.linspace(20.0, 2.0, 96, dtype=np.float32)[:, None], 96, axis=1)
    depth[:8] = 200.0  # a far band, where the fog is all airlight
    foggy = cyclegan.add_fog(clear, depth, beta=0.1, airlight=0.85)
    recovered, t, airlight = cyclegan.dehaze_dark_channel(foggy)
    assert np.abs(airlight - 0.85).max() < 0.02
    true_t = cyclegan.transmission(depth, 0.1)
    assert np.corrcoef(t[8:].ravel(), true_t[8:].ravel())[0, 1] > 0.9
    assert psnr(clear[8:], recovered[8:]) > psnr(clear[8:], foggy[8:]) + 5


def test_guided_filter_keeps_an_edge_that_a_box_blur_smears():
    guide = np.zeros((40, 40), np.float32)
    guide[:, 20:] = 1.0
    noisy = guide + np.random.default_rng(0).normal(0, 0.1, guide.shape).astype(np.float32)
    out = cyclegan.guided_filter(guide, noisy, radius=4, eps=1e-3)
    assert out[:, 21].mean() - out[:, 18].mean() > 0.9  # the step survives
    assert np.std(out[:, 25:35]) < np.std(noisy[:, 25:35]) / 3  # the noise does not


def test_generators_keep_the_shape_and_translate_pads_odd_sizes():
    G = cyclegan.build_generator(filters=4, blocks=1)
    assert G(tf.zeros((2, 32, 48, 3))).shape == (2, 32, 48, 3)
    odd = np.random.default_rng(0).uniform(0, 1, (37, 53, 3)).astype(np.float32)
    out = cyclegan.translate(G, odd)
    assert out.shape == odd.shape and 0.0 <= out.min() and out.max() <= 1.0
    unet = cyclegan.build_unet(filters=4)
    assert unet(tf.zeros((1, 32, 48, 3))).shape == (1, 32, 48, 3)
    assert cyclegan.translate(unet, odd, multiple=16).shape == odd.shape
    D = cyclegan.build_discriminator(filters=4, channels=6)
    assert D(tf.zeros((1, 64, 64, 6))).shape == (1, 8, 8, 1)


def test_reflection_padding_mirrors_the_border():
    x = tf.reshape(tf.range(9, dtype=tf.float32), (1, 3, 3, 1))
    padded = cyclegan.ReflectionPadding(1)(x)[0, :, :, 0].numpy()
    assert padded.shape == (5, 5) and padded[0, 0] == 4.0 and padded[1, 0] == 1.0  # mirrored, not zero


def test_tiles_cover_a_large_photo_and_agree_with_a_whole_pass_for_a_pointwise_network():
    inp = keras.Input((None, None, 3))
    pointwise = keras.Model(inp, keras.layers.Conv2D(3, 1, activation="tanh")(inp))
    image = np.random.default_rng(0).uniform(0, 1, (150, 230, 3)).astype(np.float32)
    tiled = cyclegan.translate_tiled(pointwise, image, tile=64, overlap=16)
    np.testing.assert_allclose(tiled, cyclegan.translate(pointwise, image), atol=1e-5)
    window = cyclegan.blend_window(10, 12, 3)
    assert window.shape == (10, 12, 1) and window.max() == 1.0 and window.min() > 0


def test_lsgan_cycle_and_identity_losses_by_hand():
    real, fake = tf.constant([1.0, 0.5]), tf.constant([0.0, 1.0])
    assert float(cyclegan.lsgan_discriminator_loss(real, fake)) == pytest.approx(0.5 * (0.125 + 0.5))
    assert float(cyclegan.lsgan_generator_loss(fake)) == pytest.approx(0.5)
    a, b = tf.constant([[1.0, -1.0]]), tf.constant([[0.5, 0.0]])
    assert float(cyclegan.cycle_loss(a, b)) == pytest.approx(0.75)
    assert float(cyclegan.identity_loss(a, a)) == 0.0


def test_image_pool_fills_then_swaps_about_half():
    pool = cyclegan.ImagePool(3, (1, 1, 1), seed=0)
    for k in range(3):
        out = pool.query(tf.fill((1, 1, 1, 1), float(k)))
        assert float(out[0, 0, 0, 0]) == k
    swapped = 0
    for k in range(3, 203):
        out = float(pool.query(tf.fill((1, 1, 1, 1), float(k)))[0, 0, 0, 0])
        assert out <= k
        swapped += out != k
    assert 70 < swapped < 130 and int(pool.stored) == 3


def test_learning_rate_is_constant_then_decays_linearly_to_zero():
    schedule = cyclegan.LinearDecay(2e-4, 100)
    assert [round(float(schedule(s)) / 2e-4, 3) for s in (0, 50, 75, 100, 120)] == [1.0, 1.0, 0.5, 0.0, 0.0]


def test_a_cyclegan_step_changes_all_four_networks_and_reports_four_losses():
    nets = [cyclegan.build_generator(4, 1), cyclegan.build_generator(4, 1),
            cyclegan.build_discriminator(4), cyclegan.build_discriminator(4)]
    before = [n.get_weights()[0].copy() for n in nets]
    g_opt, d_opt = cyclegan.cyclegan_optimizer(10), cyclegan.cyclegan_optimizer(10)
    pools = cyclegan.ImagePool(2, (16, 16, 3), 0), cyclegan.ImagePool(2, (16, 16, 3), 1)
    step = cyclegan.make_cyclegan_step(*nets, g_opt, d_opt, *pools)
    x = tf.random.uniform((1, 16, 16, 3), -1, 1, seed=1)
    logs = step((x, -x))
    assert set(logs) == {"generators (adversarial)", "cycle", "identity", "discriminators"}
    assert all(not np.allclose(b, n.get_weights()[0]) for b, n in zip(before, nets))


def test_random_crops_and_folders_refuse_what_cannot_work(tmp_path):
    rng = np.random.default_rng(0)
    crops = photos.random_crops([np.zeros((70, 80, 6), np.float32)], 4, 64, rng)
    assert crops.shape == (4, 64, 64, 6)
    with pytest.raises(ValueError, match="at least that large"):
        photos.random_crops([np.zeros((40, 80, 3), np.float32)], 1, 64, rng)
    (tmp_path / "notes.txt").write_text("no photo")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="0 readable photo"):
        photos.read_folder(tmp_path, minimum=2)
    with pytest.raises(ValueError, match="is not a folder"):
        photos.read_folder(tmp_path / "nowhere")


def test_built_in_photos_need_no_download_and_sets_are_disjoint():
    assert not set(photos.CLEAR) & set(photos.FOGGY) and not set(photos.HELD_OUT) & set(photos.CLEAR + photos.FOGGY)
    for name in photos.CLEAR + photos.FOGGY + photos.HELD_OUT:
        image = photos.load_scene(name, max_side=64)
        assert image.dtype == np.float32 and image.shape[2] == 3 and max(image.shape[:2]) == 64


# ---------------------------------------------------------------- the demo

def fake_depth(height, width):
    """Ground-like depth: 5 m at the bottom row to 50 m at the top, (height, width)."""
    return np.broadcast_to(np.linspace(50.0, 5.0, height, dtype=np.float32)[:, None], (height, width)).copy()


def fake_fog(clear, depth, density):
    """The haze model with airlight 0.8, density = optical depth at the median depth."""
    t = np.exp(-density * depth / np.median(depth))[..., None]
    return (clear * t + 0.8 * (1 - t)).astype(np.float32)


def shown(demo):
    """The picture the wipe shows, decoded: (H, W, 3) float in [0, 1]."""
    return np.asarray(Image.open(io.BytesIO(demo.compare.view.value)), np.float32) / 255.0


def said(demo):
    """The demo's message as plain text."""
    return html.unescape(re.sub("<[^>]+>", "", demo.message.value))


def upload(demo, name, content):
    """What the browser does when a person picks a file with the upload button."""
    demo.upload.value = ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
                          "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},)


def make_demo(depths_asked=None):
    scenes = {"noise": (RNG.uniform(0, 1, (32, 48, 3)).astype(np.float32), fake_depth(32, 48)),
              "stripes": (np.tile(np.linspace(0, 1, 48, dtype=np.float32)[None, :, None], (32, 1, 3)),
                          fake_depth(32, 48))}

    def depth_model(height, width):
        if depths_asked is not None:
            depths_asked.append((height, width))
        return fake_depth(height, width)

    methods = {"identity": lambda im: im, "brighter": lambda im: np.clip(im * 1.3 + 0.05, 0, 1)}
    return DefogDemo(scenes=scenes, fog=fake_fog, depth_model=depth_model, methods=methods), scenes


def test_defog_demo_redraws_and_rescores_when_density_method_or_photo_change():
    demo, scenes = make_demo()
    assert isinstance(demo.ui, w.VBox) and list(demo.methods) == ["identity", "brighter"]
    assert (demo.density.min, demo.density.max, demo.density.step, demo.density.value) == (0, 2, 0.1, 1.0)
    assert not demo.density.continuous_update and list(demo.method.options) == ["identity", "brighter"]
    assert list(demo.picker.options) == ["noise", "stripes", demo.UPLOAD]
    foggy, defogged = demo.update()
    clear = scenes["noise"][0]
    assert np.allclose(foggy, fake_fog(clear, scenes["noise"][1], 1.0)) and np.array_equal(defogged, foggy)
    assert re.fullmatch(r"foggy \d+\.\d dB · identity \d+\.\d dB \(PSNR against the clear photo\)", said(demo))
    demo.compare.wipe.value = 0.0  # all `after`: the defogged photo (checked below, on a smooth photo JPEG keeps)
    seen = {(demo.compare.view.value, demo.message.value)}
    for control, value in ((demo.density, 1.5), (demo.method, "brighter"), (demo.picker, "stripes")):
        picture, message = demo.compare.view.value, demo.message.value
        control.value = value
        assert demo.compare.view.value != picture and demo.message.value != message, control.description
        seen.add((demo.compare.view.value, demo.message.value))
    assert len(seen) == 4 and "brighter" in said(demo)
    stripes = scenes["stripes"][0]
    assert np.abs(shown(demo) - np.clip(fake_fog(stripes, scenes["stripes"][1], 1.5) * 1.3 + 0.05, 0, 1)).max() < 0.06


def test_density_zero_adds_no_fog_and_says_there_is_nothing_to_score_against():
    demo, scenes = make_demo()
    demo.density.value = 0.0
    assert "no clear original" in said(demo) and "dB" not in said(demo)
    foggy, defogged = demo.update()
    assert np.array_equal(foggy, scenes["noise"][0]) and np.array_equal(defogged, foggy)
    demo.density.value = 0.5
    assert "dB" in said(demo) and "no clear original" not in said(demo)


def test_uploads_get_the_depth_model_and_a_bad_one_is_refused_in_one_sentence():
    asked = []
    demo, _ = make_demo(asked)
    png = io.BytesIO()
    Image.fromarray(RNG.integers(0, 256, (300, 600, 3), dtype=np.uint8)).save(png, "PNG")
    upload(demo, "my_photo.png", png.getvalue())
    assert demo.picker.value == demo.UPLOAD and asked == [(128, 256)]  # shrunk to 256 px, then its depth
    assert shown(demo).shape == (128, 256, 3) and "identity" in said(demo) and "dB" in said(demo)
    picture = demo.compare.view.value
    upload(demo, "notes.txt", b"Not an image at all, just a note.\n")  # does not raise
    text = said(demo)
    assert "notes.txt" in text and "not an image" in text and "color:#c00" in demo.message.value
    assert text.endswith(".") and text.count(". ") == 0  # one sentence
    assert demo.compare.view.value == picture  # the last picture stays
    demo.picker.value = "stripes"
    assert "dB" in said(demo)  # a scene works again after the refusal


# ---------------------------------------------------------------- the exercises

import scipy.ndimage  # noqa: E402

from creative_lib.exercises import ex06  # noqa: E402


def _pool(size, rng, choose):
    """A pool like the lesson's, except that choose(stored, rng) picks the index of the image swapped out."""
    stored = []

    def query(batch):
        out = []
        for image in batch:
            if len(stored) < size:
                stored.append(image)
                out.append(image)
            elif rng.random() < 0.5:
                k = choose(stored, rng)
                out.append(stored.pop(k))
                stored.append(image)
            else:
                out.append(image)
        return np.stack(out)
    return query


def test_exercise_model_answers_pass_and_unattempted_ones_say_so():
    def todo(*args):
        raise NotImplementedError

    for q in (ex06.q1, ex06.q2, ex06.q3, ex06.q4, ex06.q5):
        assert q.verdict(q.solution_function)[0] == "correct", q.qid
        status, message = q.verdict(todo)
        assert status == "not attempted" and "not attempted yet" in message, q.qid


def test_exercise_checks_tell_wrong_answers_apart():
    status, message = ex06.q1.verdict(lambda c, d, b, a: c * np.exp(-b * d) + a * (1 - np.exp(-b * d)))
    assert status == "incorrect" and "case 1 of 4" in message and "raised ValueError" in message  # no colour axis
    swapped = ex06.q1.verdict(lambda c, d, b, a: a * np.exp(-b * d)[..., None] + c * (1 - np.exp(-b * d)[..., None]))[1]
    assert "values differ" in swapped and "expected:" in swapped and "got:" in swapped
    grey = ex06.q1.verdict(lambda c, d, b, a: c * np.exp(-b * d)[..., None] + np.mean(a) * (1 - np.exp(-b * d)[..., None]))
    assert "case 4 of 4 (an orange airlight" in grey[1]

    zeros_outside = lambda im, p: scipy.ndimage.minimum_filter(im.min(axis=2), size=p, mode="constant")  # noqa: E731
    assert ex06.q2.verdict(zeros_outside)[0] == "incorrect"
    assert ex06.q2.verdict(lambda im, p: scipy.ndimage.minimum_filter(im.min(axis=2), size=p))[0] == "correct"  # mirrored
    assert ex06.q2.verdict(lambda im, p: scipy.ndimage.minimum_filter(im.mean(axis=2), size=p))[0] == "incorrect"

    backwards = ex06.q3.verdict(lambda G, F, x, y: np.mean(np.abs(G(F(x)) - x)) + np.mean(np.abs(F(G(y)) - y)))
    assert backwards[0] == "incorrect" and "F = 0.8 x + 0.1" in backwards[1]
    assert ex06.q3.verdict(lambda G, F, x, y: np.mean((F(G(x)) - x) ** 2) + np.mean((G(F(y)) - y) ** 2))[0] == "incorrect"
    like_the_lesson = lambda G, F, x, y: cyclegan.cycle_loss(x, F(G(x, training=True))) + cyclegan.cycle_loss(y, G(F(y)))  # noqa: E731
    assert ex06.q3.verdict(like_the_lesson)[0] == "correct"  # TensorFlow, and Keras's training argument, are fine
    assert ex06.q4.verdict(lambda G, F, x, y: tf.reduce_mean(tf.abs(G(x) - x)) + tf.reduce_mean(tf.abs(F(y) - y)))[0] == "incorrect"


class _AlwaysSwap:
    """An rng whose coin always says swap; the slot is still drawn at random."""

    def __init__(self):
        self.rng = np.random.default_rng(0)

    def random(self):
        return 0.0

    def integers(self, n):
        return self.rng.integers(n)


def test_pool_check_follows_what_the_pool_holds():
    assert ex06.q5.verdict(lambda size, rng: _pool(size, rng, lambda s, r: r.integers(len(s))))[0] == "correct"
    fifo = ex06.q5.verdict(lambda size, rng: _pool(size, rng, lambda s, r: 0))[1]
    assert "case 2 of 3" in fifo and "oldest or the newest" in fifo and "rng.integers(size)" in fifo
    always = ex06.q5.verdict(lambda size, rng: _pool(size, _AlwaysSwap(), lambda s, r: r.integers(len(s))))[1]
    assert "case 1 of 3" in always and "100% of 1029 images were swapped" in always and "about 50%" in always

    def storing_every_image(size, rng):  # also stores the new images it returns unchanged
        stored = []

        def query(batch):
            out = []
            for image in batch:
                if len(stored) < size:
                    stored.append(image)
                    out.append(image)
                else:
                    k = rng.integers(size)
                    out.append(stored[k] if rng.random() < 0.5 else image)
                    stored[k] = image
            return np.stack(out)
        return query

    assert "which the pool no longer holds" in ex06.q5.verdict(storing_every_image)[1]
    assert "returned shape (1, 2, 2, 3)" in ex06.q5.verdict(lambda size, rng: (lambda batch: batch[:1]))[1]
    assert "must return the function" in ex06.q5.verdict(lambda size, rng: None)[1]
    raising = ex06.q5.verdict(lambda size, rng: (lambda batch: batch["oops"]))[1]
    assert "query raised IndexError" in raising and "on images 0 to 0" in raising


def test_the_lessons_image_pool_passes_the_pool_check():
    lesson_pool = lambda size, rng: cyclegan.ImagePool(size, (2, 2, 3), seed=int(rng.integers(1000))).query  # noqa: E731
    assert ex06.q5.verdict(lesson_pool)[0] == "correct"


# ---------------------------------------------------------------- the lesson's metrics

KEYS = {"psnr_foggy", "psnr_dcp", "psnr_cyclegan", "psnr_pix2pix", "ssim_foggy", "ssim_dcp", "ssim_cyclegan",
        "ssim_pix2pix", "psnr_cyclegan_true_depth", "n_train_crops", "seconds_per_epoch", "seconds"}


def test_lesson_metrics_in_smoke(notebook_metrics):
    m = notebook_metrics(LESSON)
    assert KEYS <= set(m) and m["profile"] == "smoke"
    assert m["n_train_crops"] == 16 and m["epochs"] == 1
    assert m["psnr_dcp"] > m["psnr_foggy"] + 3 and m["ssim_dcp"] > m["ssim_foggy"]  # the baseline needs no training
    assert m["tile_max_difference"] < 1.0
    assert m["seconds"] < 90


def test_stored_classroom_metrics(stored_metrics):
    m = stored_metrics(LESSON)
    assert KEYS <= set(m) and m["profile"] == "classroom"
    assert m["n_train_crops"] == 500 and m["epochs"] == 10
    assert m["psnr_dcp"] > m["psnr_foggy"] + 3 and m["ssim_dcp"] > m["ssim_foggy"]
    assert m["psnr_cyclegan"] >= m["psnr_foggy"] + 3  # the bar, unpaired
    assert m["psnr_pix2pix"] > m["psnr_cyclegan"] and m["ssim_pix2pix"] > m["ssim_cyclegan"]  # what pairs buy
    assert m["psnr_cyclegan_true_depth"] > m["psnr_foggy_true_depth"] + 3  # measured depth, never seen in training
    # what the lesson's prose says of its pictures
    assert m["psnr_dcp_china_light"] < m["psnr_foggy_china_light"]  # the prior darkens the sky
    assert m["ssim_cyclegan"] < min(m["ssim_foggy"], m["ssim_dcp"], m["ssim_pix2pix"])  # soft and grainy
    assert m["psnr_pix2pix_china"] > m["psnr_cyclegan_china"] and m["psnr_pix2pix_true_depth"] > m["psnr_cyclegan_true_depth"]
    assert abs(m["pix2pix_seconds"] - m["cyclegan_seconds"]) < 0.25 * m["cyclegan_seconds"]  # the same wall time
    assert m["seconds"] < 600


def test_a_second_run_loads_its_networks_and_repeats_its_metrics(second_run, tmp_path):
    """Run All twice in one OUTPUT_DIR: the second run trains nothing and writes the same metrics."""
    differ, printed = second_run(LESSON, tmp_path)
    assert not differ
    for network in ("CycleGAN", "pix2pix"):
        assert f"Loaded the trained {network} (" in printed

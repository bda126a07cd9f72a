"""benchmarks/: the timing helper, the table, the tutorials' rebuilt recipes, and every race at a tiny size."""
import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from benchmarks import race_charrnn, race_cyclegan, race_dream, race_gan, race_melody, race_style, racing, results
from benchmarks.racing import Contender, Curve, chunks, race, time_to_reach, timed_chunks
from benchmarks.reference_charrnn import tutorial_model
from benchmarks.reference_cyclegan import tutorial_discriminator as tutorial_patchgan
from benchmarks.reference_cyclegan import tutorial_generator as tutorial_unet
from benchmarks.reference_cyclegan import tutorial_jitter
from benchmarks.reference_dream import tutorial_ascent, tutorial_step_size
from benchmarks.reference_gan import tutorial_discriminator, tutorial_generator
from benchmarks.reference_melody import tutorial_generate, tutorial_window
from benchmarks.reference_melody import tutorial_model as tutorial_music_model
from benchmarks.reference_style import TUTORIAL_ADAM, TUTORIAL_STYLE, tutorial_loss
from creative_lib import dream, style
from creative_lib.backbones import load_backbone
from creative_lib.paintings import picture

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def hed():
    return load_backbone("vgg16_hed", layers=["style", "content", "block3_conv3"])


# ---------------------------------------------------------------- the timing helper

def test_chunks_prepare_once_off_the_record_then_do_the_work_in_chunks():
    counter, calls = tf.Variable(0.0), []
    step = lambda: (calls.append(1), counter.assign_add(1.0))  # noqa: E731
    work = chunks(step, count=3, size=2, restore=[counter])
    next(work)
    assert len(calls) == 1 and float(counter) == 0.0  # traced once, then put back
    assert sum(1 for _ in work) == 3 and float(counter) == 6.0 and len(calls) == 7


def test_race_takes_turns_and_measures_quality_after_every_chunk():
    order = []

    def work(name, count):
        yield  # prepared
        for _ in range(count):
            order.append(name)
            yield

    curves = race([Contender("a", work("a", 3), lambda: len(order)), Contender("b", work("b", 1), lambda: -1)])
    assert order == ["a", "b", "a", "a"]  # turns while both run; a finishes alone
    assert curves["a"].quality == [0, 1, 3, 4] and curves["b"].quality == [-1, -1]
    assert curves["a"].seconds[0] == 0.0 and all(np.diff(curves["a"].seconds) >= 0)


def test_timed_chunks_work_in_turns_of_seconds_until_the_budget_or_the_recipes_end(monkeypatch):
    clock, counter, calls = [0.0], tf.Variable(0.0), []
    monkeypatch.setattr(racing.time, "perf_counter", lambda: clock[0])
    step = lambda: (calls.append(clock[0]), counter.assign_add(1.0), clock.__setitem__(0, clock[0] + 1.0))  # noqa: E731
    work = timed_chunks(step, seconds=5.0, turn=2.0, restore=[counter])
    next(work)
    assert len(calls) == 1 and float(counter) == 0.0  # traced once, then put back
    sizes = []
    for _ in work:
        sizes.append(len(calls) - 1 - sum(sizes))
    assert sizes == [2, 2, 1] and float(counter) == 5.0  # turns of 2 s until the 5 s are spent
    before = len(calls)
    assert sum(1 for _ in timed_chunks(step, seconds=50.0, turn=20.0, most=3)) == 2  # prepared, then one chunk
    assert len(calls) - before == 1 + 3  # the recipe's end: 3 calls


def test_time_to_reach_is_the_first_time_the_quality_was_good_enough():
    curve = Curve([0.0, 1.0, 2.0, 3.0], [5.0, 4.0, 2.5, 3.0])
    assert time_to_reach(curve, 2.5) == 2.0 and time_to_reach(curve, 4.5) == 1.0
    assert time_to_reach(curve, 1.0) is None
    assert time_to_reach(curve, 3.0, higher_is_better=True) == 1.0  # the start does not count
    assert time_to_reach(curve, 4.5, higher_is_better=True) is None


# ---------------------------------------------------------------- the table

def result(ours, reference=10.0, total=8.0):
    return results.Result(race="00 test", measure="loss, lower is better", start=9.0, target=1.25, ours_seconds=ours,
                          ours_total=total, reference_seconds=reference, setting="a test.")


def test_outcome_targets_where_the_reference_ended():
    curves = {"ours": Curve([0.0, 1.0, 2.0], [9.0, 3.0, 1.0]),
              "reference": Curve([0.0, 2.0, 4.0, 6.0], [9.0, 3.0, 2.0, 3.0])}
    r = results.outcome(curves, race="r", measure="m", setting="s")
    assert (r.start, r.target, r.ours_seconds, r.reference_seconds, r.ours_total) == (9.0, 3.0, 1.0, 2.0, 2.0)
    assert r.ratio == 2.0 and r.met


def test_the_table_says_plainly_when_the_aim_is_missed(tmp_path):
    met, short, never = result(4.0), result(6.0), result(None)
    assert met.ratio == 2.5 and met.met and not short.met and not never.met
    assert never.ratio == 10.0 / 8.0 and never.row()[3] == "never in 8.0" and never.row()[5] == "< 1.25×"
    path = tmp_path / "RESULTS.md"
    results.write_results([met, short, never], path, size="tiny", date="2025-01-02")
    text = path.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) == 5 and len({row.count("|") for row in rows}) == 1  # header, rule, three races: one width
    assert rows[0] == "| " + " | ".join(results.HEADER) + " |"
    assert [row.split(" | ")[-1] for row in rows[2:]] == ["yes |", "**short of the aim** |", "**short of the aim** |"]
    assert "| 9 → 1.25 |" in rows[2] and "2.50×" in rows[2] and "≥ 2×" in rows[2]
    assert f"{results.cpu_model()}, " in text and f"TensorFlow {tf.__version__}" in text and "Date: 2025-01-02" in text


def test_a_fixed_target_may_be_out_of_either_recipes_reach():
    curves = {"ours": Curve([0.0, 1.0, 2.0], [10.0, 12.0, 13.5]),
              "reference": Curve([0.0, 4.0, 8.0], [9.0, 11.0, 12.0])}
    r = results.outcome(curves, higher_is_better=True, target=13.0, start=11.0, race="r", measure="m", setting="s")
    assert (r.start, r.target, r.ours_seconds, r.reference_seconds, r.reference_total) == (11.0, 13.0, 2.0, None, 8.0)
    assert r.ratio == 4.0 and r.met  # at least four times as fast: the reference never got there in 8 s
    assert r.row()[3:6] == ["2.0", "never in 8.0", "> 4.00×"]
    neither = results.Result(**{**r.__dict__, "ours_seconds": None})
    assert neither.ratio is None and not neither.met and neither.row()[5] == "neither got there"
    assert results.Result(**json.loads(json.dumps(r.__dict__))) == r


def test_a_race_script_writes_its_result_as_json(tmp_path):
    path, sizes = tmp_path / "r.json", []
    written = results.main(lambda size: sizes.append(size) or result(4.0), ["--size", "tiny", "--json", str(path)])
    assert sizes == ["tiny"] and results.Result(**json.loads(path.read_text(encoding="utf-8"))) == written


# ---------------------------------------------------------------- the tutorials' recipes, rebuilt

def test_tutorial_dream_takes_the_lessons_step_in_the_networks_space(hed):
    dreamer = dream.Dreamer(hed, {"block3_conv3": 1.0})
    x = RNG.uniform(0.2, 0.8, (1, 48, 48, 3)).astype(np.float32)  # away from clipping
    assert tutorial_step_size(hed) == pytest.approx(0.005 * 255)  # 0.01 of [-1, 1] is half a percent of the range
    _, ours = dreamer.ascend(tf.constant(x), tf.constant(1), tf.constant(0.005))
    _, theirs = tutorial_ascent(dreamer.backbone)(tf.constant(hed.preprocess(x)[0]), tf.constant(1),
                                                  tf.constant(tutorial_step_size(hed)))
    np.testing.assert_allclose(hed.deprocess(theirs.numpy())[None], ours.numpy(), atol=1e-4)


def test_tutorial_style_loss_matches_its_formulas_by_hand(hed):
    photo, painting = RNG.uniform(0, 1, (1, 48, 48, 3)).astype(np.float32), picture("starry", max_side=48)[None]
    x = RNG.uniform(0, 1, (1, 48, 48, 3)).astype(np.float32)
    parts = tutorial_loss(hed, photo, painting)(tf.constant(x))
    f, s = (hed.select(TUTORIAL_STYLE).features(im) for im in (x, painting))
    gram = lambda a: np.einsum("bijc,bijd->bcd", a, a) / (a.shape[1] * a.shape[2])  # noqa: E731
    by_hand = 1e-2 / 5 * sum(np.mean((gram(np.asarray(f[n])) - gram(np.asarray(s[n]))) ** 2) for n in TUTORIAL_STYLE)
    assert float(parts["style"][0]) == pytest.approx(by_hand, rel=1e-3)
    assert float(tutorial_loss(hed, photo, painting)(tf.constant(photo))["content"][0]) == 0
    absolute = np.abs(np.diff(x, axis=1)).sum() + np.abs(np.diff(x, axis=2)).sum()
    assert float(parts["tv"][0]) == pytest.approx(30 * absolute, rel=1e-4)


@pytest.mark.parametrize("settings", [race_style.OURS, TUTORIAL_ADAM], ids=["lesson", "tutorial"])
def test_the_style_race_steps_as_the_lessons_adam(hed, settings):
    content, painting = picture("astronaut", max_side=40)[None], picture("ember", max_side=40)[None]
    loss = tutorial_loss(hed, content, painting)
    work, image = race_style.adam_work(loss, content, steps=4, chunk=2, **settings)
    for _ in work:
        pass
    step, expected, _ = style.adam_step(loss, content, 4, **settings)  # the lesson's adam takes these steps
    for _ in range(4):
        step()
    np.testing.assert_allclose(image.numpy(), expected.numpy(), atol=1e-5)


def test_tutorial_networks_have_the_tutorials_parameter_counts():
    assert tutorial_generator().count_params() == 2_330_944
    assert tutorial_discriminator().count_params() == 212_865
    assert tutorial_model(65).count_params() == 4_021_569  # tiny-shakespeare's 65 characters
    assert tutorial_music_model().count_params() == 84_354


def test_tutorial_music_loop_predicts_one_note_at_a_time_and_slides_its_window():
    model, window = tutorial_music_model(), tutorial_window()
    start = window.copy()
    notes = tutorial_generate(model, window, count=3)
    assert notes.shape == (3, 3) and window.shape == (25, 3) and (notes[:, 1:] >= 0).all()
    assert np.isin(notes[:, 0], np.arange(128)).all()
    np.testing.assert_array_equal(window[:22], start[3:])  # slid by three notes
    np.testing.assert_array_equal(window[22:], notes)  # the pitch fed back as sampled, 0..127: the tutorial's bug


def test_tutorial_cyclegan_networks_are_pix2pixs_cut_to_64_px():
    unet, patchgan = tutorial_unet(64), tutorial_patchgan()
    assert unet.count_params() == 29_245_059  # 64-128-256-512-512-512 down, 512-512-256-128-64 up
    assert patchgan.count_params() == 2_765_569  # pix2pix's 2,770,433 less the target's channels and batch norm's stats
    assert unet(tf.zeros((1, 64, 64, 3))).shape == (1, 64, 64, 3)
    assert patchgan(tf.zeros((1, 64, 64, 3))).shape == (1, 6, 6, 1)
    image = tf.random.uniform((1, 64, 64, 3))
    jittered = tutorial_jitter(image)
    assert jittered.shape == image.shape and np.isin(jittered.numpy(), image.numpy()).all()  # nearest: no new values


def imported_names(path):
    """Every module name a Python file imports."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_course_never_imports_the_benchmarks():
    for path in (Path(__file__).resolve().parent.parent / "creative_lib").rglob("*.py"):
        assert not [name for name in imported_names(path) if name.split(".")[0] == "benchmarks"], path.name


# ---------------------------------------------------------------- every race, tiny

@pytest.mark.parametrize("script", [race_dream, race_style, race_gan, race_charrnn, race_melody],
                         ids=lambda m: m.__name__)
def test_every_race_runs_at_a_tiny_size(script):
    r = script.run("tiny")
    assert r.race[:2] in {"03", "04", "05", "07", "08"} and r.setting.endswith(".")
    assert math.isfinite(r.start) and math.isfinite(r.target) and r.reference_seconds > 0 and r.ours_total > 0
    assert r.ours_seconds is None or 0 <= r.ours_seconds <= r.ours_total
    assert len(r.row()) == len(results.HEADER)


def test_the_cyclegan_race_runs_at_a_tiny_size():
    foggy, clear = race_cyclegan.defog_data(96, 4)
    assert foggy.shape == clear.shape == (4, 64, 64, 3) and foggy.min() >= 0 and foggy.max() <= 1
    r = race_cyclegan.run("tiny")
    assert r.race == "06 CycleGAN" and r.setting.endswith(".") and len(r.row()) == len(results.HEADER)
    assert 5 < r.start < 30 and r.target == pytest.approx(r.start + race_cyclegan.GAIN)  # the foggy input, + 3 dB
    assert 0 < r.ours_total < 5 and 0 < r.reference_total < 5
    for seconds, total in ((r.ours_seconds, r.ours_total), (r.reference_seconds, r.reference_total)):
        assert seconds is None or 0 <= seconds <= total


def test_make_bench_runs_a_race_in_its_own_process_and_writes_the_table(tmp_path):
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit):
        main(["--size", "tiny"])  # a tiny run never replaces RESULTS.md
    out = tmp_path / "RESULTS.md"
    main(["--size", "tiny", "--race", "race_charrnn", "--out", str(out)])
    text = out.read_text()
    assert "| 07 char-RNN |" in text and "TensorFlow" in text


def test_the_dream_race_uses_the_lessons_layers_which_are_the_tutorials_on_inception():
    from benchmarks.reference_dream import TUTORIAL_LAYERS
    from creative_lib.backbones import BACKBONES

    assert BACKBONES["inception_v3"].dream_layers == TUTORIAL_LAYERS

import itertools

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

import creative_lib as cl
from creative_lib import plotting
from creative_lib.plotting import as_displayable, curves, enlarge, frames_of_folder, image_grid, mosaic
from creative_lib.training import fit


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "smoke")
    return cl.setup("smoke", seed=0, output_dir=tmp_path)


@pytest.fixture
def ckpt(run):
    return run.checkpoint("lin", units=1)


def linear_problem():
    """A one-weight regression y = 3x, with its model, optimizer, step and batches."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    optimizer = keras.optimizers.SGD(0.5, momentum=0.5)
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]

    def step(batch):
        xb, yb = batch
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(xb) - yb) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return {"loss": loss}

    return model, optimizer, step, itertools.repeat((x, 3 * x))


def test_fit_trains_records_losses_and_checkpoints(ckpt):
    model, optimizer, step, batches = linear_problem()
    history = fit(step, batches, 30, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    assert history.steps_done == 30 and len(history.losses["loss"]) == 30 and history.steps_run == 30
    assert history.losses["loss"][-1] < 0.01 * history.losses["loss"][0]
    assert tf.train.latest_checkpoint(str(ckpt.path)).endswith("-30")


def test_fit_resumes_after_a_restart(ckpt, capsys):
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 10, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    fresh, fresh_opt, fresh_step, batches = linear_problem()  # "the kernel restarted"
    history = fit(fresh_step, batches, 15, name="lin", checkpoint=ckpt, state={"model": (fresh, fresh_opt)})
    assert history.resumed_from == 10 and history.steps_done == 15 and history.steps_run == 5
    assert len(history.losses["loss"]) == 15  # the curve of the whole training, earlier steps included
    assert "Resumed lin from its checkpoint at step 10 of 15" in capsys.readouterr().out
    straight, straight_opt, straight_step, batches = linear_problem()  # 15 steps without a restart
    fit(straight_step, batches, 15, name="straight", state={"model": (straight, straight_opt)})
    np.testing.assert_allclose(fresh.get_weights()[0], straight.get_weights()[0], rtol=1e-6)
    fresh_again, opt_again, step_again, batches = linear_problem()  # without the checkpoint it would differ
    fit(step_again, batches, 5, name="lin", state={"model": (fresh_again, opt_again)})
    assert not np.allclose(fresh_again.get_weights()[0], straight.get_weights()[0], rtol=1e-3)


def two_networks():
    """Two small networks, each with its own Adam, trained against each other on one fixed batch."""
    keras.utils.set_random_seed(1)
    a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    b = keras.Sequential([keras.Input((1,)), keras.layers.Dense(3)])
    opt_a, opt_b = keras.optimizers.Adam(1e-2), keras.optimizers.Adam(3e-3, beta_1=0.5)
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)

    def step(batch):
        with tf.GradientTape() as tape_a, tf.GradientTape() as tape_b:
            y = a(batch)
            loss_a = tf.reduce_mean((y - 1.0) ** 2)
            loss_b = tf.reduce_mean((b(y) - batch) ** 2)
        opt_a.apply_gradients(zip(tape_a.gradient(loss_a, a.trainable_variables), a.trainable_variables))
        opt_b.apply_gradients(zip(tape_b.gradient(loss_b, b.trainable_variables), b.trainable_variables))
        return {"a": loss_a, "b": loss_b}

    return {"a": (a, opt_a), "b": (b, opt_b)}, step, itertools.repeat(x)


def test_two_networks_and_two_optimizers_resume_exactly(run):
    place = run.checkpoint("pair", widths=(4, 3))
    state, step, batches = two_networks()
    fit(step, batches, 7, name="pair", state=state, checkpoint=place)
    resumed, resumed_step, batches = two_networks()  # "the kernel restarted": new networks, unbuilt optimizers
    fit(resumed_step, batches, 12, name="pair", state=resumed, checkpoint=place)
    straight, straight_step, batches = two_networks()
    fit(straight_step, batches, 12, name="pair straight", state=straight)
    for name in ("a", "b"):
        (net, opt), (net_ref, opt_ref) = resumed[name], straight[name]
        assert int(opt.iterations) == int(opt_ref.iterations) == 12
        for got, want in zip(net.get_weights(), net_ref.get_weights()):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
        moments = [(g, w) for g, w in zip(opt.variables, opt_ref.variables) if "iteration" not in g.path]
        assert len(moments) >= 2 * len(net.trainable_variables)  # Adam's m and v for every weight
        for g, w in moments:
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-8)


def test_a_finished_training_is_loaded_with_its_history(ckpt, capsys):
    model, optimizer, step, batches = linear_problem()
    first = fit(step, batches, 20, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    after_first = np.random.uniform(size=3), float(tf.random.uniform(()))
    capsys.readouterr()
    fresh, fresh_opt, fresh_step, batches = linear_problem()
    calls = []
    again = fit(lambda b: calls.append(b), batches, 20, name="lin", checkpoint=ckpt, state={"model": (fresh, fresh_opt)})
    after_again = np.random.uniform(size=3), float(tf.random.uniform(()))
    assert not calls and again.steps_run == 0 and again.steps_done == 20
    assert again.losses == first.losses and again.seconds == pytest.approx(first.seconds)
    np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])
    printed = capsys.readouterr().out
    assert "Loaded the trained lin (20 steps" in printed and "RETRAIN = True" in printed
    assert str(ckpt.path.name) in printed
    np.testing.assert_array_equal(after_first[0], after_again[0])  # what follows draws the same numbers
    assert after_first[1] == after_again[1]


def test_checkpoints_are_keyed_by_settings_and_retrain_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "smoke")
    run = cl.setup("smoke", seed=0, output_dir=tmp_path)
    assert run.checkpoint("lin", units=1).path == run.checkpoint("lin", units=1).path
    assert run.checkpoint("lin", units=1).path != run.checkpoint("lin", units=2).path
    assert run.checkpoint("lin", units=1).path != run.checkpoint("other", units=1).path
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 5, name="lin", checkpoint=run.checkpoint("lin", units=1), state={"model": (model, optimizer)})
    other, other_opt, other_step, batches = linear_problem()
    changed = fit(other_step, batches, 5, name="lin", checkpoint=run.checkpoint("lin", units=2),
                  state={"model": (other, other_opt)})
    assert changed.steps_run == 5  # a changed setting trains its own model
    again = cl.setup("smoke", seed=0, output_dir=tmp_path, retrain=True)
    fresh, fresh_opt, fresh_step, batches = linear_problem()
    retrained = fit(fresh_step, batches, 5, name="lin", checkpoint=again.checkpoint("lin", units=1),
                    state={"model": (fresh, fresh_opt)})
    assert retrained.resumed_from == 0 and retrained.steps_run == 5
    with pytest.raises(ValueError, match="RETRAIN must be True or False"):
        cl.setup("smoke", output_dir=tmp_path, retrain="yes")


def test_a_checkpoint_of_other_networks_is_refused_not_half_loaded(ckpt):
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 5, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    renamed, renamed_opt, renamed_step, batches = linear_problem()
    with pytest.raises(ValueError, match="holds no regressor, regressor_optimizer: set RETRAIN = True"):
        fit(renamed_step, batches, 5, name="lin", checkpoint=ckpt, state={"regressor": (renamed, renamed_opt)})


def test_minibatches_refuse_a_batch_larger_than_the_data():
    from creative_lib.toydata import minibatches

    x, y = np.arange(10), np.arange(10) * 2
    xb, yb = next(minibatches(x, y, batch_size=4))
    np.testing.assert_array_equal(yb, 2 * xb)
    with pytest.raises(ValueError, match="A batch of 16 needs at least 16 examples; got 10"):
        next(minibatches(x, batch_size=16))


def test_resume_restores_the_optimizer_moments(ckpt):
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 10, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    saved = [v.numpy().copy() for v in optimizer.variables]
    fresh, fresh_opt, fresh_step, batches = linear_problem()
    fit(fresh_step, batches, 10, name="lin", checkpoint=ckpt, state={"model": (fresh, fresh_opt)})
    restored = [v.numpy() for v in fresh_opt.variables]
    assert len(restored) == len(saved) > 1
    for a, b in zip(saved, restored):
        np.testing.assert_array_equal(a, b)


def test_interrupt_stops_cleanly_and_keeps_progress(ckpt, capsys):
    model, optimizer, step, batches = linear_problem()
    calls = itertools.count(1)

    def interrupted_step(batch):
        if next(calls) == 7:
            raise KeyboardInterrupt
        return step(batch)

    history = fit(interrupted_step, batches, 50, name="lin", checkpoint=ckpt, state={"model": (model, optimizer)})
    assert history.interrupted and history.steps_done == 6
    assert tf.train.latest_checkpoint(str(ckpt.path)).endswith("-6")
    assert "Stopped at step 6 of 50" in capsys.readouterr().out


def test_fit_without_state_and_short_data(run, capsys):
    history = fit(lambda b: {"loss": float(b)}, iter([3.0, 2.0, 1.0]), 5, name="toy",
                  checkpoint=run.checkpoint("toy"))
    assert history.losses["loss"] == [3.0, 2.0, 1.0] and history.steps_done == 3
    assert "ran out after step 3" in capsys.readouterr().out
    assert not (run.output_dir / "checkpoints").exists()


def test_image_grid_and_curves_build_labelled_figures():
    images = [np.zeros((8, 8)), np.ones((8, 8, 3), np.uint8) * 255, np.full((1, 8, 8, 1), 2.0)]
    fig = image_grid(images, titles=["a", "b", "c"], ncols=2, suptitle="grid")
    assert len(fig.axes) == 4 and fig.axes[1].get_title() == "b"
    assert as_displayable(images[2]).shape == (8, 8) and as_displayable(images[2]).max() == 1.0
    fig = curves({"loss": [3, 2, 1], "val": [4, 3, 2]}, title="t")
    assert fig.axes[0].get_title() == "t" and len(fig.axes[0].lines) == 2


@pytest.mark.parametrize("shape, picture", [((5, 4, 6), (9, 20)), ((5, 4, 6, 1), (9, 20)), ((5, 4, 6, 3), (9, 20, 3))])
def test_mosaic_is_grey_for_grey_and_rgb_for_colour(shape, picture):
    sheet = mosaic(np.zeros(shape, np.float32), ncols=3, gap=1)
    assert sheet.shape == picture and sheet.dtype == np.uint8
    assert sheet[4, 0].tolist() == (255 if len(picture) == 2 else [255, 255, 255])  # the gap between the rows
    assert not sheet[:4, :6].any() and sheet[5:, 14:].min() == 255  # a picture, and the empty sixth place


def test_mosaic_places_uint8_as_given_and_floats_rounded_on_the_background():
    pictures = np.random.default_rng(0).integers(0, 256, (4, 3, 5, 3), dtype=np.uint8)
    sheet = mosaic(pictures, ncols=2, gap=2, background=(0, 0, 128))
    assert np.array_equal(sheet[5:8, 7:12], pictures[3]) and sheet[3, 0].tolist() == [0, 0, 128]
    grey = mosaic(np.array([[[0.0, 0.5, 1.0, 2.0]]]), ncols=1, gap=0)
    assert grey.tolist() == [[0, 128, 255, 255]]


def test_enlarge_repeats_each_pixel_of_grey_and_rgb_pictures():
    grey = np.array([[1, 2], [3, 4]], np.uint8)
    assert enlarge(grey, 2).tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    rgb = np.random.default_rng(1).integers(0, 256, (2, 3, 3), dtype=np.uint8)
    big = enlarge(rgb, 3)
    assert big.shape == (6, 9, 3) and big.dtype == np.uint8 and np.array_equal(big[::3, ::3], rgb)


def test_frames_of_folder_spreads_at_most_max_frames_over_the_pngs_in_name_order(tmp_path):
    from creative_lib.images import save_image

    for k in range(7):
        save_image(np.full((4, 5, 3), 30 * k, np.uint8), tmp_path / f"epoch_{k:03d}.png")
    (tmp_path / "notes.txt").write_text("not a frame")
    frames, found = frames_of_folder(tmp_path, max_frames=4, factor=2)
    assert found == 7 and [f.shape for f in frames] == [(8, 10, 3)] * 4
    assert [int(f[0, 0, 0]) for f in frames] == [0, 60, 120, 180]  # epochs 0, 2, 4 and 6
    assert len(frames_of_folder(tmp_path, max_frames=25)[0]) == 7
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no PNG files"):
        frames_of_folder(empty)


def test_preview_moves_its_bar_and_redraws_every_few_steps(monkeypatch):
    shown = []
    monkeypatch.setattr(plotting.LiveFigure, "show", lambda self, fig: shown.append(fig.axes[0].get_title()))
    preview = plotting.Preview(total=5, desc="steps", every=2)
    image = np.zeros((1, 8, 8, 3), np.float32)
    for k in range(1, 6):
        preview.step(k, image)
    assert preview.bar.n == 5 and shown == ["steps: 2 of 5", "steps: 4 of 5", "steps: 5 of 5"]
    quiet = plotting.Preview(total=3, desc="runs", show=False)
    quiet.step(3, image)
    assert quiet.bar.n == 3 and quiet.figure is None


def test_offline_banner_outside_jupyter_is_framed_text(capsys):
    from creative_lib.plotting import offline_banner

    offline_banner("MNIST is not available here.")
    out = capsys.readouterr().out
    assert out.startswith("=" * 78) and "⚠  MNIST is not available here." in out


def test_fit_draws_its_live_figure_with_the_lessons_plot(monkeypatch):
    shown = []
    monkeypatch.setattr(plotting.LiveFigure, "show", lambda self, fig: shown.append(fig.get_suptitle()))

    def plot(losses):
        fig = plt.figure()
        fig.suptitle(f"{len(losses['loss'])} steps")
        return fig

    fit(lambda batch: {"loss": 1.0}, iter(range(10)), 4, name="t", plot=plot, plot_every=2)
    assert shown == ["2 steps", "4 steps"]
    plt.close("all")

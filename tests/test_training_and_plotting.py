import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

import creative_lib as cl
from creative_lib.plotting import as_displayable, curves, image_grid
from creative_lib.training import fit


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "smoke")
    return cl.setup("smoke", seed=0, output_dir=tmp_path)


@pytest.fixture
def ckpt(run):
    return run.checkpoint_dir("lin")


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
    history = fit(step, batches, 30, name="lin", checkpoint_dir=ckpt, state={"model": model, "optimizer": optimizer})
    assert history.steps_done == 30 and len(history.losses["loss"]) == 30
    assert history.losses["loss"][-1] < 0.01 * history.losses["loss"][0]
    assert tf.train.latest_checkpoint(str(ckpt)).endswith("-30")


def test_fit_resumes_after_a_restart(ckpt, capsys):
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 10, name="lin", checkpoint_dir=ckpt, state={"model": model, "optimizer": optimizer})
    fresh, fresh_opt, fresh_step, batches = linear_problem()  # "the kernel restarted"
    history = fit(fresh_step, batches, 15, name="lin", checkpoint_dir=ckpt, state={"model": fresh, "optimizer": fresh_opt})
    assert history.resumed_from == 10 and history.steps_done == 15
    assert len(history.losses["loss"]) == 5
    assert "Resumed lin from its checkpoint at step 10" in capsys.readouterr().out
    straight, straight_opt, straight_step, batches = linear_problem()  # 15 steps without a restart
    fit(straight_step, batches, 15, name="straight", state={"model": straight, "optimizer": straight_opt})
    np.testing.assert_allclose(fresh.get_weights()[0], straight.get_weights()[0], rtol=1e-6)
    fresh_again, opt_again, step_again, batches = linear_problem()  # without the checkpoint it would differ
    fit(step_again, batches, 5, name="lin", state={"model": fresh_again, "optimizer": opt_again})
    assert not np.allclose(fresh_again.get_weights()[0], straight.get_weights()[0], rtol=1e-3)


def test_resume_restores_the_optimizer_moments(ckpt):
    model, optimizer, step, batches = linear_problem()
    fit(step, batches, 10, name="lin", checkpoint_dir=ckpt, state={"model": model, "optimizer": optimizer})
    saved = [v.numpy().copy() for v in optimizer.variables]
    fresh, fresh_opt, fresh_step, batches = linear_problem()
    fit(fresh_step, batches, 10, name="lin", checkpoint_dir=ckpt, state={"model": fresh, "optimizer": fresh_opt})
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

    history = fit(interrupted_step, batches, 50, name="lin", checkpoint_dir=ckpt, state={"model": model, "optimizer": optimizer})
    assert history.interrupted and history.steps_done == 6
    assert tf.train.latest_checkpoint(str(ckpt)).endswith("-6")
    assert "Stopped at step 6 of 50" in capsys.readouterr().out


def test_fit_without_state_and_short_data(run, capsys):
    history = fit(lambda b: {"loss": float(b)}, iter([3.0, 2.0, 1.0]), 5, name="toy",
                  checkpoint_dir=run.checkpoint_dir("toy"))
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


def test_preview_moves_its_bar_and_redraws_every_few_steps(monkeypatch):
    from creative_lib import plotting

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

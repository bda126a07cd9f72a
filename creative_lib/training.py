"""A training loop a person can watch, stop and resume (CONTRIBUTING §10).

    history = fit(step_fn, batches, steps=2_000, name="charrnn",
                  state={"model": model, "optimizer": model.optimizer},
                  checkpoint_dir=run.checkpoint_dir("charrnn"))

step_fn(batch) -> {"loss": value, ...}. The loop shows a progress bar and a live loss plot,
checkpoints `state` (any TensorFlow trackables) into checkpoint_dir, resumes from the latest
checkpoint there after a kernel restart, and turns Jupyter's stop button into a clean stop that
keeps what was learned.
"""
import time
from dataclasses import dataclass, field

import keras
import matplotlib.pyplot as plt
import tensorflow as tf
from tqdm.auto import tqdm

from creative_lib.plotting import LiveFigure, curves


@dataclass
class History:
    losses: dict = field(default_factory=dict)  # name -> one float per step run in this call
    steps_done: int = 0  # the step counter after training, resumed steps included
    seconds: float = 0.0
    interrupted: bool = False
    resumed_from: int = 0


class LivePlot:
    """A loss plot redrawn in place in the notebook."""

    def __init__(self, title):
        self.title = title
        self.figure = LiveFigure()

    def update(self, losses, first_step):
        fig, ax = plt.subplots(figsize=(6, 3))
        curves(losses, title=self.title, xlabel=f"step (from {first_step + 1})", ax=ax)
        self.figure.show(fig)
        plt.close(fig)


def _checkpoint(state, step, checkpoint_dir):
    """A CheckpointManager over `state` plus the step counter, or None when there is nothing to keep."""
    if not state or checkpoint_dir is None:
        return None
    ckpt = tf.train.Checkpoint(step=step, **state)
    return tf.train.CheckpointManager(ckpt, str(checkpoint_dir), max_to_keep=2)


def _build_optimizers(state):
    """Create a Keras optimizer's slots before a restore, or its moments would be silently dropped.

    Done for the usual state {"model": ..., "optimizer": ...}; with several models, build each
    optimizer yourself (optimizer.build(model.trainable_variables)) before calling fit.
    """
    models = [v for v in state.values() if isinstance(v, keras.Model)]
    for value in state.values():
        if isinstance(value, keras.optimizers.Optimizer) and not value.built and len(models) == 1:
            value.build(models[0].trainable_variables)


def fit(step_fn, batches, steps, *, name, state=None, checkpoint_dir=None, checkpoint_every=None,
        plot_every=None, desc=None):
    """Run step_fn on batches until the step counter reaches `steps`; return a History.

    With `state` and `checkpoint_dir`, training is saved there and resumes from there.
    """
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    manager = _checkpoint(state, step, checkpoint_dir)
    history = History()
    if manager and manager.latest_checkpoint:
        _build_optimizers(state)
        manager.checkpoint.restore(manager.latest_checkpoint)
        history.resumed_from = int(step.numpy())
        print(f"Resumed {name} from its checkpoint at step {history.resumed_from} of {steps}.")
    start = int(step.numpy())
    checkpoint_every = checkpoint_every or max(1, steps // 10)
    plot_every = plot_every or max(1, steps // 20)
    live = LivePlot(f"{name}: training loss")
    batches = iter(batches)
    began = time.perf_counter()
    bar = tqdm(total=steps, initial=start, desc=desc or name, unit="step", leave=True)
    try:
        for _ in range(start, steps):
            batch = next(batches, None)
            if batch is None:
                print(f"The data ran out after step {int(step.numpy())}; training stops there.")
                break
            logs = step_fn(batch)
            step.assign_add(1)
            for key, value in logs.items():
                history.losses.setdefault(key, []).append(float(value))
            bar.update(1)
            bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.losses.items()}, refresh=False)
            done = int(step.numpy())
            if manager and done % checkpoint_every == 0:
                manager.save(checkpoint_number=done)
            if done % plot_every == 0 or done == steps:
                live.update(history.losses, start)
    except KeyboardInterrupt:
        history.interrupted = True
    finally:
        bar.close()
        history.steps_done = int(step.numpy())
        history.seconds = time.perf_counter() - began
        if manager and history.steps_done > start:
            manager.save(checkpoint_number=history.steps_done)
    ran = history.steps_done - start
    if ran:
        last = ", ".join(f"{k} {v[-1]:.4f}" for k, v in history.losses.items())
        print(f"{name}: {ran} steps in {history.seconds:.1f} s ({ran / history.seconds:.1f} steps/s); last {last}.")
    if history.interrupted:
        kept = "; its checkpoint is saved, so running this cell again resumes" if manager else ""
        print(f"Stopped at step {history.steps_done} of {steps}: the model keeps what it learned{kept}.")
    return history

"""A training loop a person can watch, stop, resume and re-run (CONTRIBUTING §10).

    history = fit(step_fn, batches, steps=2_000, name="charrnn",
                  state={"model": (model, model.optimizer)},
                  checkpoint=run.checkpoint("charrnn", seq_len=100, units=512))

step_fn(batch) -> {"loss": value, ...}; a score logged every few steps is NaN in between. The loop
shows a progress bar and a live loss plot. With a checkpoint (from `Run.checkpoint`, keyed by the
settings that shape the networks and their data) it saves `state` and the History there, resumes
after a kernel restart, and, when the training is already finished, loads it and hands back the
History of the run that trained it, so a second Run All shows the same curves and metrics.
Jupyter's stop button ends training cleanly and keeps what was learned.

`state` maps names to TensorFlow trackables; a network that trains is given with its optimizer,
`(network, optimizer)` or `((net_a, net_b), optimizer)`, so that the optimizer's moments exist
before a restore and come back exactly.
"""
import json
import math
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2
from tqdm.auto import tqdm

from creative_lib.files import write_atomically
from creative_lib.plotting import LiveFigure, curves

HISTORY_FILE = "history.json"


@dataclass
class History:
    losses: dict = field(default_factory=dict)  # name -> one float per step, from step 1 (earlier runs included)
    steps_done: int = 0  # the step counter after training
    seconds: float = 0.0  # time spent training these steps, over every run that trained them
    interrupted: bool = False
    resumed_from: int = 0  # the step this call started at

    @property
    def steps_run(self):
        """Steps trained by this call (0 when a finished training was loaded)."""
        return self.steps_done - self.resumed_from


class LivePlot:
    """A loss plot redrawn in place in the notebook; `draw(losses) -> Figure`, if given, draws it instead."""

    def __init__(self, title, draw=None):
        self.title, self.draw = title, draw
        self.figure = LiveFigure()

    def update(self, losses):
        if self.draw is None:
            fig, ax = plt.subplots(figsize=(6, 3))
            curves(losses, title=self.title, xlabel="step", ax=ax)
        else:
            fig = self.draw(losses)
        self.figure.show(fig)
        plt.close(fig)


def latest(values):
    """The last finite value of a list (NaN when none is): a step_fn may log a score every few steps, NaN between."""
    return next((v for v in reversed(values) if math.isfinite(v)), math.nan)


def _trackables(state):
    """state -> ({name: trackable}, [(optimizer, variables it updates)])."""
    flat, optimizers = {}, []
    for name, value in (state or {}).items():
        if isinstance(value, tuple):
            networks, optimizer = value
            networks = networks if isinstance(networks, (tuple, list)) else (networks,)
            for k, network in enumerate(networks):
                flat[name if len(networks) == 1 else f"{name}_{k}"] = network
            flat[f"{name}_optimizer"] = optimizer
            optimizers.append((optimizer, [v for net in networks for v in net.trainable_variables]))
        else:
            flat[name] = value
    return flat, optimizers


def build_optimizers(optimizers):
    """Create each optimizer's moments for the variables it updates, before any restore or step.

    A restore into an optimizer that has not been built drops its moments silently.
    """
    for optimizer, variables in optimizers:
        if isinstance(optimizer, keras.optimizers.Optimizer) and not optimizer.built:
            optimizer.build(variables)


def _manager(state, step, checkpoint):
    """A CheckpointManager over `state` plus the step counter, or None when there is nothing to keep."""
    if not state or checkpoint is None:
        return None
    ckpt = tf.train.Checkpoint(step=step, **state)
    return tf.train.CheckpointManager(ckpt, str(checkpoint.path), max_to_keep=2)


def _save(manager, history, checkpoint):
    """Save the state and, beside it, the History so far (what a re-run shows instead of training)."""
    manager.save(checkpoint_number=history.steps_done)
    record = {"settings": checkpoint.settings, **asdict(history)}
    write_atomically(Path(checkpoint.path) / HISTORY_FILE, lambda tmp: Path(tmp).write_text(json.dumps(record)))


def _saved_names(path):
    """The names a checkpoint's state was saved under: the root's children in its object graph."""
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(tf.train.load_checkpoint(path).get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return {child.local_name for child in graph.nodes[0].children}


def _restore(manager, checkpoint, step, names):
    """Restore the latest checkpoint; return the History it was saved with.

    A checkpoint that does not hold every name of `state` (the state was renamed or reshaped)
    is refused: loading part of it would pass untrained networks off as trained.
    """
    missing = sorted(set(names) - _saved_names(manager.latest_checkpoint))
    if missing:
        raise ValueError(f"The checkpoint in {_where(checkpoint.path)} holds no {', '.join(missing)}: "
                         "set RETRAIN = True to train from scratch.")
    manager.checkpoint.restore(manager.latest_checkpoint).expect_partial()
    done = int(step.numpy())
    kept = Path(checkpoint.path) / HISTORY_FILE
    record = json.loads(kept.read_text()) if kept.exists() else {}
    losses = {k: v[:done] for k, v in record.get("losses", {}).items()}
    return History(losses=losses, steps_done=done, seconds=record.get("seconds", 0.0), resumed_from=done)


def _where(path):
    """A checkpoint folder as a user would type it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _announce(name, history, steps, checkpoint):
    place = _where(checkpoint.path)
    if history.steps_done >= steps:
        print(f"Loaded the trained {name} ({history.steps_done} steps, {history.seconds:.0f} s of training) "
              f"from {place}; set RETRAIN = True to train it again.")
    else:
        print(f"Resumed {name} from its checkpoint at step {history.steps_done} of {steps} ({place}).")


def fit(step_fn, batches, steps, *, name, state=None, checkpoint=None, checkpoint_every=None,
        plot_every=None, desc=None, plot=None):
    """Run step_fn on batches until the step counter reaches `steps`; return a History.

    plot(losses) -> Figure, if given, is the live figure (default: the curves of every loss).

    With `state` and `checkpoint`, training is saved there, resumes from there, and a finished
    training is loaded instead of run. Afterwards the global seeds (Python's, NumPy's, TensorFlow's,
    Keras's) are set from the checkpoint's seed, so what follows draws the same numbers whether
    this call trained or loaded; a generator object of your own (np.random.default_rng) is yours
    to keep out of training. A resumed training starts the batch stream afresh, so it matches an
    uninterrupted one exactly only where the batches do not depend on the step.
    """
    state, optimizers = _trackables(state)
    build_optimizers(optimizers)
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    manager = _manager(state, step, checkpoint)
    history = History()
    if manager and manager.latest_checkpoint:
        history = _restore(manager, checkpoint, step, state)
        _announce(name, history, steps, checkpoint)
    start = history.steps_done
    live = LivePlot(f"{name}: training loss", draw=plot)
    if start < steps:
        _train(step_fn, batches, steps, step, history, manager, checkpoint, live, name,
               checkpoint_every or max(1, steps // 10), plot_every or max(1, steps // 20), desc)
    elif history.losses:
        live.update(history.losses)  # the curves of the run that trained it
    if checkpoint is not None:
        keras.utils.set_random_seed(zlib.crc32(f"{checkpoint.seed}:{name}".encode()))
    return history


def _train(step_fn, batches, steps, step, history, manager, checkpoint, live, name, checkpoint_every,
           plot_every, desc):
    """fit's loop: steps from history.steps_done to `steps`, recorded into `history`."""
    start = history.steps_done
    earlier_seconds = history.seconds
    saved_at = start
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
            history.steps_done = int(step.numpy())
            bar.update(1)
            bar.set_postfix({k: f"{latest(v):.4f}" for k, v in history.losses.items()}, refresh=False)
            history.seconds = earlier_seconds + time.perf_counter() - began
            if manager and history.steps_done % checkpoint_every == 0:
                _save(manager, history, checkpoint)
                saved_at = history.steps_done
            if history.steps_done % plot_every == 0 or history.steps_done == steps:
                live.update(history.losses)
    except KeyboardInterrupt:
        history.interrupted = True
    finally:
        bar.close()
        history.steps_done = int(step.numpy())
        if manager and history.steps_done > saved_at:
            _save(manager, history, checkpoint)
    ran, took = history.steps_done - start, history.seconds - earlier_seconds
    if ran:
        last = ", ".join(f"{k} {latest(v):.4f}" for k, v in history.losses.items())
        print(f"{name}: {ran} steps in {took:.1f} s ({ran / took:.1f} steps/s); last {last}.")
    if history.interrupted:
        kept = "; its checkpoint is saved, so running this cell again resumes" if manager else ""
        print(f"Stopped at step {history.steps_done} of {steps}: the model keeps what it learned{kept}.")

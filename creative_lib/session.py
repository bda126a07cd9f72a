"""Profiles, seeding and the per-notebook Run object (CONTRIBUTING §2, §4, §5).

Every notebook calls `setup` once, right after its parameters cell:

    run = cl.setup(PROFILE, seed=SEED, output_dir=OUTPUT_DIR)
    steps = run.pick(smoke=20, classroom=2_000, full=20_000)
    ...
    run.finish(accuracy=acc)        # writes OUTPUT_DIR/metrics.json

A profile only scales sizes and step counts; no code path depends on it.
"""
import hashlib
import json
import logging
import os
import platform
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from creative_lib.clock import STARTED
from creative_lib.metrics import write_metrics

PROFILES = ("smoke", "classroom", "full")
PROFILE_ENV = "CREATIVE_LIB_PROFILE"
OUTPUT_ENV = "CREATIVE_LIB_OUTPUT_DIR"  # a root that replaces OUTPUT_DIR's parent, for tools that cannot inject it (nbval)


def resolve_profile(profile):
    """The profile in force: $CREATIVE_LIB_PROFILE if set, else `profile`."""
    chosen = os.environ.get(PROFILE_ENV) or profile
    if chosen not in PROFILES:
        raise ValueError(f"PROFILE must be one of {', '.join(PROFILES)}; got {chosen!r}.")
    return chosen


def resolve_output_dir(output_dir):
    """OUTPUT_DIR, or $CREATIVE_LIB_OUTPUT_DIR/<OUTPUT_DIR's last folder> when that variable is set.

    So a test run or `make execute` sends every notebook's outputs to a folder of its own under one root.
    """
    root = os.environ.get(OUTPUT_ENV)
    return Path(root) / Path(output_dir).name if root else Path(output_dir)


def seed_everything(seed):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"SEED must be a non-negative integer; got {seed!r}.")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def quiet_tensorflow():
    """Silence TensorFlow's and Keras's Python-side log chatter (errors still show)."""
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"keras(\..*)?")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"tensorflow(\..*)?")
    # tqdm.auto warns (to stderr) when ipywidgets' front end is missing, e.g. under papermill.
    warnings.filterwarnings("ignore", message="IProgress not found")


def device_report():
    """One line naming the device TensorFlow computes on."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = ", ".join(tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus)
        return f"GPU ({names})"
    return f"CPU ({os.cpu_count()} cores, {platform.machine()})"


@dataclass(frozen=True)
class CheckpointPlace:
    """A training's checkpoint folder, the settings that keyed it, and the seed fit re-seeds with."""
    path: Path
    settings: dict
    seed: int


class Run:
    """One execution of a notebook: its profile, seed, output folder, artifacts and clock."""

    def __init__(self, profile, seed, output_dir, retrain=False):
        self.profile = profile
        self.seed = seed
        self.retrain = bool(retrain)
        self._emptied = set()  # checkpoint folders RETRAIN has emptied in this run
        self.output_dir = Path(output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.artifacts = []
        self.metrics = None  # what finish() wrote

    def pick(self, smoke, classroom, full=None):
        """The value for this run's profile (`full` defaults to `classroom`)."""
        return {"smoke": smoke, "classroom": classroom, "full": classroom if full is None else full}[self.profile]

    def path(self, name):
        """OUTPUT_DIR/name, recorded as an artifact of this run."""
        target = self.output_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target not in self.artifacts:
            self.artifacts.append(target)
        return target

    def checkpoint(self, name, **settings):
        """Where training `name` keeps its state: OUTPUT_DIR/checkpoints/<name>-<profile>-<key>.

        settings: everything that shapes the networks and their data (dataset=..., filters=...);
        the key is a digest of them and the run's seed, so a changed setting never resumes the wrong model. Step
        counts stay out of it: more steps resume the training. With RETRAIN the folder is
        emptied, once per run, and training starts from scratch.
        """
        text = json.dumps({"seed": self.seed, **settings}, sort_keys=True, default=str)
        key = hashlib.sha256(text.encode()).hexdigest()[:10]
        path = self.output_dir / "checkpoints" / f"{name}-{self.profile}-{key}"
        if self.retrain and path not in self._emptied:
            shutil.rmtree(path, ignore_errors=True)
            self._emptied.add(path)
        return CheckpointPlace(path, json.loads(text), self.seed)

    def savefig(self, fig, name, dpi=100):
        """Save a matplotlib figure into OUTPUT_DIR and record it."""
        fig.savefig(self.path(name), dpi=dpi, bbox_inches="tight")
        return self.output_dir / name

    @property
    def seconds(self):
        """Seconds since creative_lib was imported (TensorFlow's import included)."""
        return time.perf_counter() - STARTED

    def finish(self, **metrics):
        """Write OUTPUT_DIR/metrics.json (with `profile` and `seconds`), print it and the artifacts.

        The printed block is valid JSON, so the stored outputs of a classroom run can be checked.
        """
        record = write_metrics(self.output_dir / "metrics.json", profile=self.profile,
                               seconds=round(self.seconds, 1), **metrics)
        self.metrics = record
        lines = ",\n".join(f" {json.dumps(key)}: {json.dumps(value)}" for key, value in record.items())
        print("metrics.json:\n{\n" + lines + "\n}")
        saved = [p.name for p in self.artifacts if p.exists()] + ["metrics.json"]
        print("Artifacts saved in OUTPUT_DIR:", ", ".join(saved))


def setup(profile="classroom", seed=0, output_dir="outputs", retrain=False):
    """Apply the profile, seed everything, quiet TensorFlow and report the device in one line.

    retrain=True trains every checkpointed network from scratch instead of loading it.
    Returns the notebook's `Run`.
    """
    profile = resolve_profile(profile)
    if not isinstance(retrain, bool):
        raise ValueError(f"RETRAIN must be True or False; got {retrain!r}.")
    seed_everything(seed)
    quiet_tensorflow()
    run = Run(profile, seed, resolve_output_dir(output_dir), retrain)
    print(f"profile {profile} · seed {seed} · TensorFlow {tf.__version__}, Keras {keras.__version__} "
          f"on {device_report()}")
    return run

"""creative_lib: the TensorFlow/Keras 3 code behind the Creative AI course.

Import it before TensorFlow: in a notebook it imports TensorFlow at once with its C++ start-up
lines (oneDNN, CUDA stubs, absl) muted, which would otherwise land under the cell as red stderr.

    import creative_lib as cl
    run = cl.setup(PROFILE, seed=SEED, output_dir=OUTPUT_DIR)

Elsewhere (`make export`, `python -m creative_lib.assets list`) nothing imports TensorFlow until
something needs it: `cl.setup` imports it, quietly, on first use.
"""
import os
import sys

from creative_lib import clock  # noqa: F401  (a notebook's clock starts here)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"
__all__ = ["PROFILES", "Run", "setup"]


def import_tensorflow_quietly():
    """Import TensorFlow and Keras (once) with file descriptor 2 pointed at /dev/null.

    TensorFlow >= 2.20 logs through absl before any Python setting can reach it, so the only
    reliable way to keep its start-up lines out of a notebook is to mute the descriptor itself.
    """
    if "tensorflow" in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


if "ipykernel" in sys.modules:  # a notebook: the next cell may import TensorFlow itself
    import_tensorflow_quietly()


def __getattr__(name):
    """cl.setup, cl.Run, cl.PROFILES: the session module, imported on first use (it imports TensorFlow)."""
    if name not in __all__:
        raise AttributeError(f"module 'creative_lib' has no attribute {name!r}")
    import_tensorflow_quietly()
    from creative_lib import session

    return getattr(session, name)

"""creative_lib: the TensorFlow/Keras 3 code behind the Creative AI course.

Import it before TensorFlow: it silences TensorFlow's C++ start-up lines (oneDNN, CUDA stubs,
absl), which would otherwise land in every notebook as red stderr output.

    import creative_lib as cl
    run = cl.setup(PROFILE, seed=SEED, output_dir=OUTPUT_DIR)
"""
import os
import time

_IMPORTED_AT = time.perf_counter()  # a notebook's clock starts here, TensorFlow's import included

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly():
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow >= 2.20 logs through absl before any Python setting can reach it, so the only
    reliable way to keep its start-up lines out of a notebook is to mute the descriptor itself.
    """
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from creative_lib.session import PROFILES, Run, setup  # noqa: E402

__version__ = "0.1.0"
__all__ = ["PROFILES", "Run", "setup"]

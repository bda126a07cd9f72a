"""When a notebook's clock started: the moment `import creative_lib` ran (TensorFlow's import included).

`creative_lib/__init__.py` imports this module first, so `Run.seconds` measures the whole run.
"""
import time

STARTED = time.perf_counter()

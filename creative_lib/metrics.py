"""metrics.json: one flat JSON object of numbers, booleans and short strings (CONTRIBUTING §5)."""
import json
import math
import numbers
from pathlib import Path

import numpy as np

from creative_lib.files import write_atomically

MAX_STRING = 200
REQUIRED = ("profile", "seconds")


def to_json_value(key, value):
    """A metric value as plain JSON: numbers, bools, short strings, flat lists of those.

    NumPy and TensorFlow scalars become Python numbers; NaN or infinity is refused, because
    a metric that diverged must fail loudly rather than be saved as a result.
    """
    if hasattr(value, "numpy"):  # a TensorFlow tensor
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"metric {key!r} is {value}: refusing to record a non-finite result.")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ValueError(f"metric {key!r} is a string of {len(value)} characters; keep it under {MAX_STRING}.")
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_value(key, v) for v in value]
    raise TypeError(f"metric {key!r} has type {type(value).__name__}; use numbers, booleans, short strings or lists.")


def write_metrics(path, **metrics):
    """Validate `metrics`, write them atomically to `path` as JSON, and return the written dict."""
    missing = [k for k in REQUIRED if k not in metrics]
    if missing:
        raise ValueError(f"metrics.json needs the keys {', '.join(missing)}.")
    record = {key: to_json_value(key, value) for key, value in metrics.items()}
    text = json.dumps(record, indent=1) + "\n"
    write_atomically(path, lambda tmp: Path(tmp).write_text(text))
    return record


def read_metrics(path):
    """The dict stored in a metrics.json."""
    return json.loads(Path(path).read_text())

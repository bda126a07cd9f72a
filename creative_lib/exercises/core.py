"""The exercise framework, in the manner of Kaggle Learn's q1.check() / q1.hint() / q1.solution().

A Question runs the student's function on several cases and compares each result with a
reference. Its feedback names the failing case, what was expected and what came back. A
function that still raises NotImplementedError is "not attempted yet", never an error, so an
exercises notebook runs top to bottom.

Each answer has one source: `reference` is the course's own code (creative_lib), and `solution`
is a function written from scratch in the exercises module; `solution()` prints its source, and
the test suite checks it against the reference. Questions register with the module that declares
them, so `summary()` counts what a lesson declares, not only what a notebook happened to check.
"""
import copy
import inspect
import sys
import textwrap
from dataclasses import dataclass, field

import numpy as np

DECLARED = {}  # module name -> [Question, ...] in the order they were declared


@dataclass
class Case:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""
    expected: object = None  # None: ask the Question's reference


def short(value, limit=300):
    """A one-line description of a value for feedback messages."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) or hasattr(v, "numpy") for v in value):
        return "(" + ", ".join(short(v, limit // len(value) + 40) for v in value) + ")"
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=12, edgeitems=3).replace("\n", "")
        text = f"array(shape={value.shape}, dtype={value.dtype}) {body}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def compare_close(result, expected, rtol=1e-5, atol=1e-6):
    """None if `result` matches `expected` (arrays closely, nested containers item by item), else why not."""
    if hasattr(result, "numpy"):
        result = result.numpy()
    if isinstance(expected, dict):
        if not isinstance(result, dict) or set(result) != set(expected):
            return f"expected a dict with keys {sorted(expected)}"
        for key in expected:
            why = compare_close(result[key], expected[key], rtol, atol)
            if why:
                return f"[{key!r}]: {why}"
        return None
    if isinstance(expected, (tuple, list)) and not _is_numeric_sequence(expected):
        if not isinstance(result, (tuple, list)) or len(result) != len(expected):
            return f"expected a sequence of {len(expected)} items"
        for i, (r, e) in enumerate(zip(result, expected)):
            why = compare_close(r, e, rtol, atol)
            if why:
                return f"item {i}: {why}"
        return None
    if isinstance(expected, str):
        return None if result == expected else "the strings differ"
    try:
        r, e = np.asarray(result, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(result).__name__}"
    if r.shape != e.shape:
        return f"shape {r.shape}, expected shape {e.shape}"
    if not np.all(np.isfinite(r) == np.isfinite(e)):
        return "the result holds NaN or infinity"
    if not np.allclose(r, e, rtol=rtol, atol=atol):
        worst = np.max(np.abs(r - e))
        return f"values differ (largest difference {worst:.3g})"
    return None


def compare_frequencies(draws, expected, tolerance, target="softmax(logits / temperature)"):
    """None if integer draws (n,) come with frequencies within `tolerance` of `expected` (K,), else why not."""
    draws = np.asarray(draws)
    if not np.issubdtype(draws.dtype, np.integer) or draws.min() < 0 or draws.max() >= len(expected):
        return f"draws must be integer ids between 0 and {len(expected) - 1}"
    freq = np.bincount(draws, minlength=len(expected)) / len(draws)
    if np.max(np.abs(freq - expected)) > tolerance:
        return (f"over {len(draws)} draws the ids came with frequencies {np.round(freq, 3)}, but {target} "
                f"is {np.round(expected, 3)}")
    return None


def _is_numeric_sequence(x):
    return all(isinstance(v, (int, float, np.number, bool)) for v in x)


class Question:
    """One checked exercise."""

    def __init__(self, qid, title, cases, reference=None, compare=None, checker=None, hint="", solution=None):
        if reference is None and checker is None and any(c.expected is None for c in cases):
            raise ValueError(f"{qid}: give a reference function, a checker or an expected value for every case.")
        if not callable(solution):
            raise ValueError(f"{qid}: give the model answer as a function (solution=...), so it can be run and shown.")
        self.qid, self.title, self.cases = qid, title, cases
        self.reference, self.compare, self.checker = reference, compare or compare_close, checker
        self._hint, self.solution_function = hint, solution
        self.status = "not checked"  # -> "not attempted" | "incorrect" | "correct"
        self.module = sys._getframe(1).f_globals.get("__name__", "__main__")  # the exercises module declaring it
        DECLARED.setdefault(self.module, []).append(self)

    def expected_for(self, case):
        if case.expected is not None:
            return case.expected
        return self.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))

    def verdict(self, fn):
        """(status, message) for running `fn` on every case; status is correct/incorrect/not attempted."""
        if not callable(fn):
            return "incorrect", f"check() takes your function itself, e.g. {self.qid}.check(my_function); got {short(fn)}."
        for number, case in enumerate(self.cases, start=1):
            name = f"case {number} of {len(self.cases)} ({case.label})" if case.label else f"case {number} of {len(self.cases)}"
            try:
                result = fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            except NotImplementedError:
                return "not attempted", f"{self.qid} is not attempted yet: replace `raise NotImplementedError` with your code, then run this cell again."
            except Exception as err:  # the student's bug, reported with the case that triggered it
                return "incorrect", f"{name}: your function raised {type(err).__name__}: {err}"
            if self.checker is not None:
                why = self.checker(result, case)
                if why:
                    return "incorrect", f"{name}: {why}"
                continue
            expected = self.expected_for(case)
            why = self.compare(result, expected)
            if why:
                return "incorrect", f"{name}: {why}.\n    expected: {short(expected)}\n    got:      {short(result)}"
        return "correct", f"Correct: {self.qid} ({self.title}) passed all {len(self.cases)} cases."

    def check(self, fn):
        """Run the cases, print the feedback, and return True when every case passed."""
        self.status, message = self.verdict(fn)
        mark = {"correct": "✅", "incorrect": "❌", "not attempted": "⏳"}[self.status]
        print(f"{mark} {message}")
        return self.status == "correct"

    def hint(self):
        print(f"💡 Hint for {self.qid}: {self._hint}")

    @property
    def solution_source(self):
        """The model answer's source code, as a student would write it."""
        return textwrap.dedent(inspect.getsource(self.solution_function)).strip()

    def solution(self):
        print(f"Solution for {self.qid}:\n{self.solution_source}")

    def __repr__(self):
        return f"<Question {self.qid}: {self.title} ({self.status})>"


def summary():
    """Counts over every question declared by the exercises modules imported in this kernel, for metrics.json."""
    questions = [q for declared in DECLARED.values() for q in declared]
    return {
        "exercises_total": len(questions),
        "exercises_passed": sum(q.status == "correct" for q in questions),
        "exercises_attempted": sum(q.status in ("correct", "incorrect") for q in questions),
    }

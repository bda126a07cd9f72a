"""One timing helper for every race: contenders take turns in one process, timed to the same quality.

A contender is a name, its work (an iterator: every next() does one chunk of training or ascent)
and a quality() that says where it stands. race() hands out the turns, one chunk each, so both
recipes share whatever else the machine is doing; it times only the work, and measures quality
between chunks with the clock stopped. A curve is the quality after 0, 1, 2, ... chunks against
the seconds of work they took.

    curves = race([Contender("ours", chunks(our_step, 20), our_quality),
                   Contender("reference", chunks(their_step, 20), their_quality)])
    target = curves["reference"].final                  # the quality the reference ends at
    seconds = time_to_reach(curves["ours"], target)     # None if ours never got there

A race on a wall budget instead of a count of steps gives each contender timed_chunks(step, 150, 15):
turns of about 15 seconds of steps until 150 seconds are spent.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator


@dataclass(frozen=True)
class Contender:
    name: str
    work: Iterator  # each next() does one chunk of work; the first only prepares (see chunks), untimed
    quality: Callable[[], float]  # measured between chunks, with the clock stopped


@dataclass
class Curve:
    seconds: list = field(default_factory=list)  # seconds of work done, 0.0 first
    quality: list = field(default_factory=list)  # the quality at each of those times

    @property
    def final(self):
        return self.quality[-1]


def chunks(step, count, size=1, restore=()):
    """Work for a Contender: `count` chunks of `size` calls of step().

    The first next() only prepares: one call of step() traces and compiles it, then every
    variable in `restore` (weights, optimizer slots and iterations, an image) is put back as it
    was, so the race starts from where the recipe starts. Optimizers must be built beforehand.
    """
    _prepare(step, restore)
    yield
    for _ in range(count):
        for _ in range(size):
            step()
        yield


def timed_chunks(step, seconds, turn, restore=(), most=None):
    """Work for a Contender on a wall budget: chunks of about `turn` seconds of step() calls, `seconds` in all.

    The work ends when the budget is spent or after `most` calls (a recipe's own end), whichever
    comes first; a chunk ends after the call that takes it past its `turn`. The first next() only
    prepares, as in chunks.
    """
    _prepare(step, restore)
    yield
    spent, calls = 0.0, 0
    while spent < seconds and (most is None or calls < most):
        began = time.perf_counter()
        while time.perf_counter() - began < min(turn, seconds - spent) and (most is None or calls < most):
            step()
            calls += 1
        spent += time.perf_counter() - began
        yield


def _prepare(step, restore):
    """One call of step() to trace and compile it, then every variable in `restore` put back as it was."""
    saved = [v.numpy() for v in restore]
    step()
    for variable, value in zip(restore, saved):
        variable.assign(value)


def race(contenders):
    """Advance every contender one chunk in turn until all are spent: {name: Curve}."""
    for contender in contenders:
        next(contender.work)  # prepare, off the clock
    curves = {c.name: Curve([0.0], [float(c.quality())]) for c in contenders}
    running = list(contenders)
    while running:
        for contender in list(running):
            began = time.perf_counter()
            try:
                next(contender.work)
            except StopIteration:
                running.remove(contender)
                continue
            curve = curves[contender.name]
            curve.seconds.append(curve.seconds[-1] + time.perf_counter() - began)
            curve.quality.append(float(contender.quality()))
    return curves


def time_to_reach(curve, target, higher_is_better=False):
    """The seconds of work after which the curve's quality was first at least as good as target; None if never.

    The start does not count: a recipe reaches a target by working.
    """
    reached = (q >= target if higher_is_better else q <= target for q in curve.quality[1:])
    return next((s for s, ok in zip(curve.seconds[1:], reached) if ok), None)

"""A race's result, a race script's command line, and benchmarks/RESULTS.md: the table of them all.

    result = outcome(curves, race="03 DeepDream", measure="dream loss", higher_is_better=True, setting="...")
    result = outcome(curves, target=17.0, start=14.0, ...)  # a target fixed beforehand: neither recipe may reach it
    write_results([result, ...], "benchmarks/RESULTS.md", size="bench")
"""
import argparse
import datetime
import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import tensorflow as tf

from benchmarks.racing import time_to_reach

AIM = 2.0  # ours should reach the reference's quality in at most half the reference's time


@dataclass(frozen=True)
class Result:
    race: str  # "03 DeepDream"
    measure: str  # what the quality is, and which way is better
    start: float  # where both started (the reference's, where they differ), or the baseline a fixed target is set from
    target: float  # the quality the reference's recipe ended at, or one fixed beforehand
    ours_seconds: float | None  # ours' work until it first reached the target; None if it never did
    ours_total: float  # all of ours' work
    reference_seconds: float | None  # the reference's work until it first reached the target; None if it never did
    setting: str  # the contenders and the sizes, in a sentence
    reference_total: float | None = None  # all of the reference's work (a fixed target may be out of its reach)

    @property
    def ratio(self):
        """reference / ours: how many times faster ours got there; a bound where one never did; None if neither did.

        If ours never got there it is an upper bound (ours' total work instead); if the reference never
        did, a lower bound (the reference's total work instead).
        """
        if self.ours_seconds is None and self.reference_seconds is None:
            return None
        reference = self.reference_total if self.reference_seconds is None else self.reference_seconds
        return reference / (self.ours_total if self.ours_seconds is None else self.ours_seconds)

    @property
    def met(self):
        return self.ours_seconds is not None and self.ratio >= AIM

    def row(self):
        clock = lambda s: f"{s:.1f}" if s >= 1 else f"{s:.2g}"  # noqa: E731  (a sub-second race keeps its digits)
        never = lambda total: f"never in {clock(total)}"  # noqa: E731
        ours = clock(self.ours_seconds) if self.ours_seconds is not None else never(self.ours_total)
        reference = (clock(self.reference_seconds) if self.reference_seconds is not None
                     else never(self.reference_total))
        if self.ratio is None:
            ratio = "neither got there"
        else:
            bound = "< " if self.ours_seconds is None else "> " if self.reference_seconds is None else ""
            ratio = f"{bound}{self.ratio:.2f}×"
        return [self.race, self.measure, f"{self.start:.4g} → {self.target:.4g}", ours, reference, ratio,
                f"≥ {AIM:g}×", "yes" if self.met else "**short of the aim**"]


def outcome(curves, higher_is_better=False, target=None, start=None, **labels):
    """The Result of race()'s curves {"ours", "reference"}: the target is where the reference ended, unless given.

    start: where the table says the race began (default: the reference's first quality).
    """
    ours, reference = curves["ours"], curves["reference"]
    target = reference.final if target is None else target
    reached = lambda curve: time_to_reach(curve, target, higher_is_better)  # noqa: E731
    return Result(start=reference.quality[0] if start is None else start, target=target, ours_seconds=reached(ours),
                  ours_total=ours.seconds[-1], reference_seconds=reached(reference),
                  reference_total=reference.seconds[-1], **labels)


def cpu_model():
    """The CPU's name as /proc/cpuinfo gives it (Linux), else as platform knows it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine():
    """One line: CPU, cores, system, Python, TensorFlow and Keras versions."""
    return (f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}")


HEADER = ["race", "quality measure", "start → target", "ours (s)", "reference (s)", "ratio (reference / ours)", "aim",
          "met"]


def table(results):
    """The results as a Markdown table, one row a race."""
    rows = [HEADER, ["---"] * len(HEADER)] + [r.row() for r in results]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)


def write_results(results, path, size, date=None):
    """Write RESULTS.md: the table, the machine, the date, and what each race compared."""
    date = date or datetime.date.today().isoformat()
    notes = "\n".join(f"- **{r.race}**: {r.setting}" for r in results)
    Path(path).write_text(
        "# Speed against the TensorFlow tutorials\n\n"
        f"Written by `make bench` (size `{size}`): each race runs both recipes in turns, one chunk of work "
        "each, in one process, and times how long each took to reach the quality the tutorial's recipe "
        "ends at, or a quality its note fixes beforehand (the target; the start is where it began, or the "
        "baseline the fixed target is set from). The ratio is how many times faster ours got there (a bound, "
        "> or <, where one recipe never did); the aim is at least twice as fast.\n\n"
        f"{table(results)}\n\nMachine: {machine()}. Date: {date}.\n\n{notes}\n",
        encoding="utf-8")


def main(run, argv=None):
    """A race script's command line: run(size) -> Result, printed, and written as JSON with --json."""
    parser = argparse.ArgumentParser(description=run.__module__)
    parser.add_argument("--size", choices=("tiny", "bench"), default="bench")
    parser.add_argument("--json", type=Path, help="where to write the Result")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)  # the same weights, batches and noise every time
    result = run(args.size)
    print(" | ".join(result.row()))
    if args.json:
        args.json.write_text(json.dumps(asdict(result)), encoding="utf-8")
    return result

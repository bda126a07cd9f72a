"""A race's result, a race script's command line, and benchmarks/RESULTS.md: the table of them all.

    result = outcome(curves, race="03 DeepDream", measure="dream loss", higher_is_better=True, setting="...")
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
    start: float  # the quality both recipes started from (the reference's, where they differ)
    target: float  # the quality the reference's recipe ended at
    ours_seconds: float | None  # ours' work until it first reached the target; None if it never did
    ours_total: float  # all of ours' work
    reference_seconds: float  # the reference's work until it first reached its own final quality
    setting: str  # the contenders and the sizes, in a sentence

    @property
    def ratio(self):
        """reference / ours: how many times faster ours got there; if ours never did, an upper bound."""
        return self.reference_seconds / (self.ours_total if self.ours_seconds is None else self.ours_seconds)

    @property
    def met(self):
        return self.ours_seconds is not None and self.ratio >= AIM

    def row(self):
        ours = f"{self.ours_seconds:.1f}" if self.ours_seconds is not None else f"never in {self.ours_total:.1f}"
        ratio = f"{self.ratio:.2f}×" if self.ours_seconds is not None else f"< {self.ratio:.2f}×"
        return [self.race, self.measure, f"{self.start:.4g} → {self.target:.4g}", ours,
                f"{self.reference_seconds:.1f}", ratio, f"≥ {AIM:g}×", "yes" if self.met else "**short of the aim**"]


def outcome(curves, higher_is_better=False, **labels):
    """The Result of race()'s curves {"ours", "reference"}: the target is where the reference ended."""
    ours, reference = curves["ours"], curves["reference"]
    reached = lambda curve: time_to_reach(curve, reference.final, higher_is_better)  # noqa: E731
    return Result(start=reference.quality[0], target=reference.final, ours_seconds=reached(ours),
                  ours_total=ours.seconds[-1], reference_seconds=reached(reference), **labels)


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
        "ends at (the target; the start is where it began). The ratio is how many times faster ours got "
        "there; the aim is at least twice as fast.\n\n"
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

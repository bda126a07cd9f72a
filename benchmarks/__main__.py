"""`make bench`: run every race, each in a process of its own, and write benchmarks/RESULTS.md.

    python -m benchmarks [--size tiny|bench] [--out benchmarks/RESULTS.md] [--race race_gan ...]
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.results import Result, write_results

RACES = ("race_dream", "race_style", "race_gan", "race_cyclegan", "race_charrnn", "race_melody")  # lessons 03 to 08


def run_races(races, size, folder):
    """Each race in its own Python process: [Result, ...], in the order given."""
    results = []
    for race in races:
        path = Path(folder) / f"{race}.json"
        print(f"--- {race} ({size})", flush=True)
        subprocess.run([sys.executable, "-m", f"benchmarks.{race}", "--size", size, "--json", str(path)], check=True)
        results.append(Result(**json.loads(path.read_text(encoding="utf-8"))))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("tiny", "bench"), default="bench")
    parser.add_argument("--out", type=Path, help="default: benchmarks/RESULTS.md (size bench only)")
    parser.add_argument("--race", action="append", choices=RACES, help="one race (repeat for more); default: all")
    args = parser.parse_args(argv)
    if args.out is None and args.size != "bench":
        parser.error("a tiny run must not replace RESULTS.md: give --out")
    args.out = args.out or Path(__file__).parent / "RESULTS.md"
    with tempfile.TemporaryDirectory() as folder:
        results = run_races(args.race or RACES, args.size, folder)
    write_results(results, args.out, args.size)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

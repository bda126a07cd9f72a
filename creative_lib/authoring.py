"""Tools for course authors: exercises from solutions, and stored classroom outputs.

    python -m creative_lib.authoring exercises [--check]   # behind `make exercises`
    python -m creative_lib.authoring execute NOTEBOOK...   # behind `make execute`

Each solutions notebook marks its answers with `# BEGIN SOLUTION` / `# END SOLUTION` lines
inside function bodies; the exercises twin gets `# YOUR CODE HERE` and
`raise NotImplementedError` in their place, with every output cleared.
"""
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
MAX_NOTEBOOK_BYTES = 3 * 2**20
MACHINE_PATH = re.compile(r"(/root/|/home/[a-z]|/tmp/|/mnt/|/Users/|[A-Z]:\\\\Users)")


def strip_solutions(source, where="cell"):
    """Replace each marked solution block in a cell's source by a placeholder."""
    out, indent = [], None
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if indent is not None:
                raise ValueError(f"{where}: nested {BEGIN}")
            indent = line[: len(line) - len(line.lstrip())]
            if not indent:
                raise ValueError(f"{where}: a solution block must sit inside a function body, not at top level")
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"]
        elif stripped == END:
            if indent is None:
                raise ValueError(f"{where}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def exercises_from(solutions_nb):
    """The exercises twin of a solutions notebook (a new NotebookNode)."""
    nb = nbformat.from_dict(json.loads(json.dumps(solutions_nb)))
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where=f"cell {i}")
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    return nb


def exercise_pairs(root=ROOT):
    """(solutions path, exercises path) for every solutions notebook."""
    return [(s, root / "exercises" / s.name) for s in sorted((root / "solutions").glob("*_exercises.ipynb"))]


def write_exercises(check=False, root=ROOT):
    """Regenerate exercises/ (or, with check=True, list the files that are out of date)."""
    stale = []
    for solution, exercise in exercise_pairs(root):
        text = nbformat.writes(exercises_from(nbformat.read(solution, as_version=4))) + "\n"
        if exercise.exists() and exercise.read_text() == text:
            continue
        stale.append(exercise)
        if not check:
            exercise.parent.mkdir(exist_ok=True)
            exercise.write_text(text)
    return stale


def contract_problems(nb, path):
    """What in a stored notebook breaks the contract: stderr, machine paths, size."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                problems.append(f"cell {i} wrote to stderr: {output.get('text', '')[:200]!r}")
            hit = MACHINE_PATH.search(json.dumps(output))
            if hit:
                problems.append(f"cell {i} prints a machine path ({hit.group(0)}...)")
    size = len(nbformat.writes(nb).encode())
    if size > MAX_NOTEBOOK_BYTES:
        problems.append(f"{path.name} would be {size / 2**20:.1f} MB; the limit is 3 MB")
    return problems


def execute(path, profile="classroom", timeout=1800):
    """Run a notebook in place in `profile` (cwd: its folder) and store the outputs; return seconds."""
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    # A fresh output folder: stored outputs must come from a whole run, not a resumed checkpoint.
    fresh = ROOT / "outputs" / "_execute" / path.stem
    shutil.rmtree(fresh, ignore_errors=True)
    os.environ["CREATIVE_LIB_OUTPUT_DIR"] = os.path.relpath(fresh, path.parent)
    os.environ["CREATIVE_LIB_PROFILE"] = profile
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    began = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - began
    nb.metadata.pop("widgets", None)  # nbclient needs the state while running Output widgets; GitHub does not
    problems = contract_problems(nb, path)
    if problems:
        raise SystemExit(f"{path}: not stored, because\n  " + "\n  ".join(problems))
    nbformat.write(nb, path)
    return seconds


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["exercises"]:
        check = "--check" in args
        stale = write_exercises(check=check)
        verb = "out of date" if check else "written"
        for path in stale:
            print(f"{verb}: {path.relative_to(ROOT)}")
        if not stale:
            print("exercises/ is up to date with solutions/.")
        return 1 if (check and stale) else 0
    if args[:1] == ["execute"] and len(args) > 1:
        for name in args[1:]:
            print(f"executing {name} in classroom ...", flush=True)
            print(f"  stored outputs of {name}: {execute(name):.0f} s")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

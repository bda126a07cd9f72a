"""Tools for course authors: lesson code exported from the notebooks, exercises from
solutions, and stored classroom outputs.

    python -m creative_lib.authoring export [--check]      # behind `make export`
    python -m creative_lib.authoring exercises [--check]   # behind `make exercises`
    python -m creative_lib.authoring execute NOTEBOOK...   # behind `make execute`

Export: a lesson notebook names its topic module in its metadata
(`"creative_lib": {"export": "nn"}`), and every code cell whose first line is `#| export` is
written, in order, into creative_lib/<module>.py. The notebook is the one source of that code.

Exercises: each solutions notebook marks its answers with `# BEGIN SOLUTION` / `# END SOLUTION`
lines inside function bodies; the exercises twin gets `# YOUR CODE HERE` and
`raise NotImplementedError` in their place, with every output cleared.
"""
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat

from creative_lib import stored

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
EXPORT = "#| export"


def export_target(nb):
    """The module name a lesson notebook exports to (its metadata creative_lib.export), or None."""
    return nb.metadata.get("creative_lib", {}).get("export")


def module_from(nb, notebook_name):
    """The text of the topic module made of a notebook's `#| export` cells, in notebook order."""
    cells = [c.source.split("\n", 1) for c in nb.cells if c.cell_type == "code"]
    code = [rest[0].strip() if rest else "" for first, *rest in cells if first.strip() == EXPORT]
    if not code:
        raise ValueError(f"{notebook_name} names an export module but has no `{EXPORT}` cell")
    banner = f"# Generated from notebooks/{notebook_name} by `make export`: edit the notebook, not this file.\n"
    return banner + "\n\n\n".join(code) + "\n"


def export_pairs(root=ROOT):
    """(notebook path, module path) for every lesson notebook that exports code."""
    pairs = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        target = export_target(nbformat.read(path, as_version=4))
        if target:
            pairs.append((path, root / "creative_lib" / f"{target}.py"))
    return pairs


def write_modules(check=False, root=ROOT):
    """Regenerate each lesson's topic module (or, with check=True, list those out of date)."""
    stale = []
    for notebook, module in export_pairs(root):
        text = module_from(nbformat.read(notebook, as_version=4), notebook.name)
        if module.exists() and module.read_text() == text:
            continue
        stale.append(module)
        if not check:
            module.write_text(text)
    return stale


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


def execute(path, profile="classroom", timeout=1800):
    """Run a notebook in place in `profile` (cwd: its folder) and store the outputs; return seconds.

    What is stored is what a reader should see (store_for_readers): the demos' widget state and
    last picture, finished progress bars as their final text, and the kernel's own kernelspec.
    """
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    # A fresh output folder: stored outputs must come from a whole run, not a resumed checkpoint.
    fresh = ROOT / "outputs" / "_execute" / path.stem
    shutil.rmtree(fresh, ignore_errors=True)
    os.environ["CREATIVE_LIB_OUTPUT_DIR"] = os.path.relpath(fresh.parent, path.parent)  # a lesson writes to <it>/<name>
    os.environ["CREATIVE_LIB_PROFILE"] = profile
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    began = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - began
    stored.store_for_readers(nb)
    problems = stored.contract_problems(nb, path)
    if problems:
        raise SystemExit(f"{path}: not stored, because\n  " + "\n  ".join(problems))
    nbformat.write(nb, path)
    return seconds


def _regenerate(writer, check, up_to_date):
    stale = writer(check=check)
    verb = "out of date" if check else "written"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    if not stale:
        print(up_to_date)
    return 1 if (check and stale) else 0


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["export"]:
        return _regenerate(write_modules, "--check" in args, "Every topic module is up to date with its notebook.")
    if args[:1] == ["exercises"]:
        return _regenerate(write_exercises, "--check" in args, "exercises/ is up to date with solutions/.")
    if args[:1] == ["execute"] and len(args) > 1:
        for name in args[1:]:
            print(f"executing {name} in classroom ...", flush=True)
            print(f"  stored outputs of {name}: {execute(name):.0f} s")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

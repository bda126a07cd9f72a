"""Tools for course authors: lesson code exported from the notebooks, exercises from
solutions, and stored classroom outputs.

    python -m creative_lib.authoring export [--check]      # behind `make export`
    python -m creative_lib.authoring exercises [--check]   # behind `make exercises`
    python -m creative_lib.authoring execute NOTEBOOK...   # behind `make execute`: lessons and solutions

Export: a lesson notebook names its topic module in its metadata
(`"creative_lib": {"export": "nn"}`), and every code cell whose first line is `#| export` is
written, in order, into creative_lib/<module>.py. The notebook is the one source of that code.
Each block starts with a marker naming its notebook and cell index (`# %% notebooks/02_x.ipynb 46`,
as nbdev writes), so a traceback in the module leads back to the cell. Export never overwrites a
hand-written module, and reports a generated module that no notebook exports any more.

Exercises: each solutions notebook marks its answers with `# BEGIN SOLUTION` / `# END SOLUTION`
lines inside function bodies; the exercises twin gets `# YOUR CODE HERE` and
`raise NotImplementedError` in their place, with every output cleared.

Execute: a lesson or solutions notebook is run in `classroom` and stored with its outputs, for a
reader who opens it on GitHub (creative_lib.stored says what a stored notebook must look like).
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
GENERATED = "# Generated from notebooks/"  # the first line of every generated module


def export_target(nb):
    """The module name a lesson notebook exports to (its metadata creative_lib.export), or None."""
    return nb.metadata.get("creative_lib", {}).get("export")


def module_from(nb, notebook_name):
    """The text of the topic module made of a notebook's `#| export` cells, in notebook order.

    Each cell's code follows a marker naming its notebook and its index there (`# %% notebooks/x.ipynb 7`).
    """
    blocks = []
    for index, cell in enumerate(nb.cells):
        first, _, code = cell.source.partition("\n")
        if cell.cell_type == "code" and first.strip() == EXPORT:
            blocks.append(f"# %% notebooks/{notebook_name} {index}\n{code.strip()}")
    if not blocks:
        raise ValueError(f"{notebook_name} names an export module but has no `{EXPORT}` cell")
    banner = f"{GENERATED}{notebook_name} by `make export`: edit the notebook, not this file.\n"
    return banner + "\n\n\n".join(blocks) + "\n"


def is_generated(module):
    """Whether a file in creative_lib/ was written by export (its first line says so)."""
    with open(module, encoding="utf-8") as f:
        return f.readline().startswith(GENERATED)


def export_pairs(root=ROOT):
    """(notebook path, module path) for every lesson notebook that exports code."""
    pairs = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        target = export_target(nbformat.read(path, as_version=4))
        if target:
            pairs.append((path, root / "creative_lib" / f"{target}.py"))
    return pairs


def orphan_modules(root=ROOT):
    """Generated modules in creative_lib/ that no lesson notebook exports any more (delete them)."""
    exported = {module for _, module in export_pairs(root)}
    return [m for m in sorted((root / "creative_lib").glob("*.py")) if m not in exported and is_generated(m)]


def write_modules(check=False, root=ROOT):
    """Regenerate each lesson's topic module (or, with check=True, list those out of date).

    Refuses (ValueError) an export whose module name is that of a hand-written module.
    """
    stale = []
    for notebook, module in export_pairs(root):
        if module.exists() and not is_generated(module):
            raise ValueError(f"{notebook.name} exports to {module.name}, which is hand-written: "
                             "choose another name in its metadata (creative_lib.export)")
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
    nb.metadata["language_info"] = {"name": "python"}  # not the Python version of the run that stored the solutions
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
    """Run a lesson or solutions notebook in place in `profile` (cwd: its folder), store its outputs; return seconds.

    What is stored is what a reader should see (store_for_readers): the demos' widget state and
    last picture, finished progress bars as their final text, and the kernel's own kernelspec.
    """
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    # A fresh output root: stored outputs must come from a whole run, not a resumed checkpoint.
    # The run writes to <root>/<its OUTPUT_DIR's last folder> (CONTRIBUTING §4).
    fresh = ROOT / "outputs" / "_execute" / path.stem
    shutil.rmtree(fresh, ignore_errors=True)
    os.environ["CREATIVE_LIB_OUTPUT_DIR"] = os.path.relpath(fresh, path.parent)
    os.environ["CREATIVE_LIB_PROFILE"] = profile
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    began = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - began
    stored.store_for_readers(nb)
    problems = stored.contract_problems(nb, path)
    if problems:
        rejected = fresh / f"{path.stem}.rejected.ipynb"
        nbformat.write(nb, rejected)
        raise SystemExit(f"{path}: not stored, because\n  " + "\n  ".join(problems) +
                         f"\n  (the run is in {rejected.relative_to(ROOT)} to look at)")
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
        orphans = orphan_modules()
        for path in orphans:
            print(f"no notebook exports {path.relative_to(ROOT)} any more: delete it")
        status = _regenerate(write_modules, "--check" in args, "Every topic module is up to date with its notebook.")
        return 1 if orphans else status
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

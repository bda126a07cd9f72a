"""Every notebook runs in smoke; stored lesson outputs are a clean classroom run; generated files
(topic modules, exercises) are in sync with the notebooks they come from."""
import json
import re
from pathlib import Path

import nbformat
import pytest

from creative_lib.authoring import EXPORT, module_from, orphan_modules, write_exercises, write_modules
from creative_lib.stored import contract_problems, course_kernelspec

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*.ipynb"))


def assert_contract_metrics(metrics):
    assert metrics["profile"] == "smoke"
    assert 0 < metrics["seconds"] < 90, f"smoke took {metrics['seconds']} s; the budget is 90 s"
    for key, value in metrics.items():
        assert value is not None and not isinstance(value, dict), f"{key} is not flat JSON: {value!r}"
        assert len(json.dumps(value)) < 2000, f"{key} is not a short value"


@pytest.mark.parametrize("relpath", LESSONS)
def test_lesson_runs_in_smoke(relpath, notebook_metrics):
    assert_contract_metrics(notebook_metrics(relpath))


@pytest.mark.parametrize("relpath", SOLUTIONS)
def test_solutions_pass_every_check(relpath, notebook_metrics):
    metrics = notebook_metrics(relpath)
    assert_contract_metrics(metrics)
    assert metrics["exercises_total"] >= 4
    assert metrics["exercises_passed"] == metrics["exercises_total"]


@pytest.mark.parametrize("relpath", EXERCISES)
def test_exercises_run_unattempted(relpath, notebook_metrics):
    metrics = notebook_metrics(relpath)
    assert_contract_metrics(metrics)
    assert metrics["exercises_total"] >= 4
    assert metrics["exercises_attempted"] == 0


@pytest.mark.parametrize("relpath", LESSONS)
def test_stored_outputs_are_a_clean_classroom_run(relpath, stored_metrics):
    nb = nbformat.read(ROOT / relpath, as_version=4)
    assert contract_problems(nb, ROOT / relpath) == []
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), "no cell tagged 'parameters'"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "some code cells were not executed"
    checked = [c for c in code if c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) >= 3, "mark at least three deterministic cells # NBVAL_CHECK_OUTPUT"
    metrics = stored_metrics(relpath)
    assert metrics["profile"] == "classroom"
    assert metrics["seconds"] < 600, f"classroom took {metrics['seconds']} s; the budget is 10 min"


def test_every_solutions_notebook_has_its_exercises_twin():
    assert [Path(p).name for p in SOLUTIONS] == [Path(p).name for p in EXERCISES]


def test_exercises_are_in_sync_with_solutions():
    stale = write_exercises(check=True)
    assert stale == [], f"run `make exercises`: {', '.join(p.name for p in stale)} out of date"


def test_topic_modules_are_in_sync_with_their_notebooks():
    stale = write_modules(check=True)
    assert stale == [], f"run `make export`: {', '.join(p.name for p in stale)} out of date with its notebook"


def test_export_writes_marked_cells_in_order_and_nothing_else():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"{EXPORT}\nimport math"),
        nbformat.v4.new_code_cell("print('not exported')"),
        nbformat.v4.new_markdown_cell(f"{EXPORT}\nprose is never code"),
        nbformat.v4.new_code_cell(f"{EXPORT}\ndef area(r):\n    return math.pi * r ** 2"),
    ])
    text = module_from(nb, "99_demo.ipynb")
    assert text.splitlines()[0].startswith("# Generated from notebooks/99_demo.ipynb")
    assert "not exported" not in text and "prose" not in text and EXPORT not in text
    markers = [line for line in text.splitlines() if line.startswith("# %%")]
    assert markers == ["# %% notebooks/99_demo.ipynb 0", "# %% notebooks/99_demo.ipynb 3"]  # cell indices
    namespace = {}
    exec(text, namespace)
    assert namespace["area"](1.0) == pytest.approx(3.14159, abs=1e-5)
    with pytest.raises(ValueError, match="no `#| export` cell"):
        module_from(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), "98_empty.ipynb")


@pytest.mark.parametrize("relpath", LESSONS)
def test_lesson_output_dir_ends_in_its_own_name(relpath):
    """The test suite finds each nbval run's metrics.json under <root>/<notebook name>/."""
    nb = nbformat.read(ROOT / relpath, as_version=4)
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    match = re.search(r'^OUTPUT_DIR = "(.+?)"', params, re.M)
    assert match and Path(match.group(1)).name == Path(relpath).stem


@pytest.mark.parametrize("relpath", LESSONS + SOLUTIONS + EXERCISES)
def test_notebook_stores_the_kernels_own_kernelspec(relpath):
    """Otherwise JupyterLab marks the notebook modified the moment it opens it."""
    assert nbformat.read(ROOT / relpath, as_version=4).metadata.kernelspec == course_kernelspec()


def test_every_generated_module_is_exported_by_a_notebook():
    assert orphan_modules() == [], "a notebook no longer exports these generated modules: delete them"


def lesson_tree(root, export):
    """A course folder with one lesson notebook exporting to creative_lib/<export>.py."""
    (root / "notebooks").mkdir()
    (root / "creative_lib").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"{EXPORT}\nX = 1")])
    nb.metadata["creative_lib"] = {"export": export}
    nbformat.write(nb, root / "notebooks" / "99_demo.ipynb")
    return root / "creative_lib"


def test_export_refuses_to_overwrite_a_hand_written_module(tmp_path):
    package = lesson_tree(tmp_path, "files")
    (package / "files.py").write_text('"""Hand-written."""\n')
    with pytest.raises(ValueError, match="files.py, which is hand-written"):
        write_modules(root=tmp_path)
    assert (package / "files.py").read_text() == '"""Hand-written."""\n'


def test_a_module_no_notebook_exports_is_an_orphan(tmp_path):
    package = lesson_tree(tmp_path, "demo")
    assert write_modules(root=tmp_path) == [package / "demo.py"] and orphan_modules(tmp_path) == []
    (package / "old.py").write_text((package / "demo.py").read_text())  # a lesson renamed its module
    assert orphan_modules(tmp_path) == [package / "old.py"]

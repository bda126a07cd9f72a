"""Test-session set-up and fixtures shared by every lesson's tests.

Each lesson notebook is executed once per session, by nbval (pytest.ini lists notebooks/ first,
so those runs come before the Python tests). Its metrics.json is what the lesson's metrics tests
read. Solutions and exercises notebooks are executed by papermill, once each.

Environment, set before any kernel starts (nbval's kernels inherit it):
- CREATIVE_LIB_PROFILE=smoke, so nbval runs lesson notebooks in smoke;
- CREATIVE_LIB_MIRROR=../shared/assets when that folder exists (the offline mirror);
- KERAS_HOME in a fresh temporary folder, so every run proves the mirror and offline paths
  rather than leaning on what an earlier run left in ~/.keras;
- CREATIVE_LIB_OUTPUT_DIR, a fresh temporary root: each notebook writes to <root>/<its OUTPUT_DIR's
  last folder>, so nbval neither writes into outputs/ nor resumes an earlier run's checkpoint.
"""
import json
import os
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT.parent / "shared" / "assets"

os.environ["CREATIVE_LIB_PROFILE"] = "smoke"
if MIRROR.is_dir():
    os.environ.setdefault("CREATIVE_LIB_MIRROR", str(MIRROR))
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="creative-lib-keras-")
NBVAL_OUTPUTS = Path(tempfile.mkdtemp(prefix="creative-lib-nbval-"))
os.environ["CREATIVE_LIB_OUTPUT_DIR"] = str(NBVAL_OUTPUTS)

_executed = {}
_output_dirs = {}  # notebook -> the OUTPUT_DIR of its papermill run
_run_by_nbval = set()  # lesson notebooks (relative paths) that nbval executes in this session


def pytest_collection_finish(session):
    """Note the lesson notebooks nbval will run: what is left after -k / -m deselection."""
    for item in session.items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            _run_by_nbval.add(path.resolve().relative_to(ROOT).as_posix())


@pytest.fixture(autouse=True)
def _own_output_dirs(monkeypatch):
    """Python tests (papermill runs included) choose their own OUTPUT_DIR; only nbval uses the variable."""
    monkeypatch.delenv("CREATIVE_LIB_OUTPUT_DIR", raising=False)


def execute_in_smoke(relpath, workdir, outputs=None):
    """Run ROOT/relpath with papermill in smoke, writing to `outputs` (default workdir/outputs).

    Returns its metrics.json as a dict; the executed notebook is workdir/<its name>.
    """
    import papermill

    notebook = ROOT / relpath
    outputs = outputs or workdir / "outputs"
    papermill.execute_notebook(
        str(notebook), str(workdir / notebook.name),
        parameters={"PROFILE": "smoke", "OUTPUT_DIR": str(outputs)},
        cwd=str(notebook.parent), kernel_name="python3", progress_bar=False,
    )
    _output_dirs[relpath] = outputs
    return json.loads((outputs / "metrics.json").read_text())


def output_dir_of(relpath):
    """The OUTPUT_DIR of this session's smoke run of a notebook (nbval's or papermill's)."""
    if relpath in _run_by_nbval:
        return NBVAL_OUTPUTS / Path(relpath).stem
    return _output_dirs[relpath]


def metrics_of_nbval_run(relpath):
    """The metrics.json that nbval's smoke run of a lesson wrote, or a failure that says why there is none."""
    written = NBVAL_OUTPUTS / Path(relpath).stem / "metrics.json"
    if not written.exists():
        raise AssertionError(f"nbval's run of {relpath} wrote no {written.name}: see that notebook's failure above "
                             "(a lesson's OUTPUT_DIR must end in the notebook's own name)")
    return json.loads(written.read_text())


@pytest.fixture(scope="session")
def notebook_metrics(tmp_path_factory):
    """notebook_metrics("notebooks/x.ipynb") -> its smoke metrics.json (each notebook runs once).

    A lesson that nbval runs in this session is not run again: its metrics come from that run.
    Anything else (solutions, exercises, or a lesson when only tests/ was collected) runs in papermill.
    """
    def get(relpath):
        if relpath in _run_by_nbval:
            return metrics_of_nbval_run(relpath)
        if relpath not in _executed:
            try:
                _executed[relpath] = execute_in_smoke(relpath, tmp_path_factory.mktemp(Path(relpath).stem))
            except Exception as err:  # remember the failure: other tests of this notebook fail fast
                _executed[relpath] = err
        result = _executed[relpath]
        if isinstance(result, Exception):
            raise result
        return result
    return get


def printed_metrics(notebook_path):
    """The metrics JSON that a stored notebook's run.finish() printed."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    for cell in reversed(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if "metrics.json:\n{" in text:
                body = text.split("metrics.json:\n", 1)[1]
                return json.loads(body[: body.index("\n}") + 2])
    raise AssertionError(f"{notebook_path} holds no printed metrics.json: was it executed and stored?")


@pytest.fixture(scope="session")
def stored_metrics():
    """stored_metrics("notebooks/x.ipynb") -> the metrics of the committed (classroom) run."""
    return lambda relpath: printed_metrics(ROOT / relpath)


def _metrics_that_differ(first, again, clocks=("seconds",)):
    """{key: (first, again)} for every metric but the run's own clocks that two runs disagree on."""
    return {k: (first.get(k), again.get(k)) for k in (set(first) | set(again)) - set(clocks)
            if first.get(k) != again.get(k)}


def _printed_text(notebook):
    """Everything an executed notebook printed, as one string."""
    import nbformat

    return "".join(o.get("text", "") for cell in nbformat.read(notebook, as_version=4).cells
                   for o in cell.get("outputs", []))


@pytest.fixture(scope="session")
def second_run(notebook_metrics):
    """second_run(relpath, workdir, clocks) -> (metrics two runs disagree on, what the second run printed).

    The second run is a papermill run in smoke in the same OUTPUT_DIR as this session's first run
    (nbval's or papermill's): what a student gets from a second Run All. `clocks` are the metrics
    that time the run's own work, left out of the comparison.
    """
    def rerun(relpath, workdir, clocks=("seconds",)):
        first = notebook_metrics(relpath)
        again = execute_in_smoke(relpath, workdir, outputs=output_dir_of(relpath))
        return _metrics_that_differ(first, again, clocks), _printed_text(workdir / Path(relpath).name)
    return rerun

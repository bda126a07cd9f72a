"""What `make execute` stores for readers (stored.store_for_readers), what contract_problems refuses, and the
stored solutions notebooks (a classroom run, every check passed) beside their clean exercises twins."""
import base64
import io
import itertools
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from creative_lib import stored
from creative_lib.authoring import exercises_from

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*.ipynb"))

VIEW, STATE = stored.WIDGET_VIEW, stored.WIDGET_STATE


def model(name, **state):
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
            "state": {"_model_name": name, **state}}


def widget_output(model_id, plain):
    return nbformat.v4.new_output("display_data", data={
        VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0}, "text/plain": plain})


def photo_png():
    rng = __import__("numpy").random.default_rng(0)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (120, 160, 3), dtype="uint8")).save(buffer, format="PNG")
    return buffer.getvalue()


def executed_notebook():
    """A notebook as nbclient leaves it: a finished tqdm bar and a demo, shown as repr text."""
    models = {
        "bar": model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_progress", "IPY_MODEL_right"],
                     layout="IPY_MODEL_barlayout"),
        "left": model("HTMLModel", value="fit:\u2007100%"),
        "progress": model("FloatProgressModel", value=40, max=40),
        "right": model("HTMLModel", value="\u200740/40\u2007[00:02&lt;00:00,\u200718.2step/s]"),
        "barlayout": {**model("LayoutModel", width=None, display="inline-flex"), "model_module": "@jupyter-widgets/base"},
        "demo": model("VBoxModel", children=["IPY_MODEL_pick", "IPY_MODEL_go", "IPY_MODEL_status", "IPY_MODEL_view"]),
        "pick": model("DropdownModel", description="data set", index=1, _options_labels=["moons", "spiral"]),
        "go": model("ButtonModel", description="Train"),
        "status": model("HTMLModel", value="test accuracy <b>0.92</b>"),
        "view": {**model("ImageModel", format="png"),
                 "buffers": [{"path": ["value"], "encoding": "base64", "data": base64.b64encode(photo_png()).decode()}]},
        "orphan": model("IntSliderModel", description="never shown"),
    }
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fit(...); display(demo.ui)")
    cell.outputs = [widget_output("bar", "fit:   0%|          | 0/40 [00:00<?, ?step/s]"),
                    widget_output("demo", "VBox(children=(Dropdown(description='data set', ...")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["widgets"] = {STATE: {"state": models, "version_major": 2, "version_minor": 0}}
    return nb


def test_contract_problems_name_what_a_reader_would_see_broken():
    problems = "\n".join(stored.contract_problems(executed_notebook(), Path("n.ipynb")))
    assert "progress bar frozen at 0%" in problems and "repr text" in problems and "kernelspec" in problems
    nb = executed_notebook()
    nb.metadata.pop("widgets")
    assert "state is not stored" in "\n".join(stored.contract_problems(nb, Path("n.ipynb")))


def test_a_stored_player_must_inline_compressed_sound():
    import numpy as np
    from IPython.display import Audio

    from creative_lib import audio

    wave = np.sin(np.linspace(0, 2000, 22050)).astype(np.float32)
    ours = audio.player(wave, 22050, title="a tone")
    wav = Audio(wave, rate=22050)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("play()", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": player._repr_html_(), "text/plain": "<audio>"})])
        for player in (ours, wav)])
    problems = stored.contract_problems(nb, Path("n.ipynb"))
    assert len(problems) == 1 and problems[0].startswith("cell 1 stores a player whose sound is not inlined as OGG")


def test_store_for_readers_keeps_what_a_reader_should_see():
    nb = stored.store_for_readers(executed_notebook())
    bar, demo = (out["data"] for out in nb.cells[0].outputs)
    assert bar["text/plain"] == "fit: 100%|██████████| 40/40 [00:02<00:00, 18.2step/s]"
    assert demo["text/plain"].startswith("Interactive demo") and "data set: spiral" in demo["text/plain"]
    assert "Train" in demo["text/plain"] and "test accuracy 0.92" in demo["text/plain"]
    picture = demo.get("image/jpeg") or demo.get("image/png")
    assert Image.open(io.BytesIO(base64.b64decode(picture))).size == (160, 120)
    state = nb.metadata.widgets[STATE]["state"]
    assert "orphan" not in state and {"bar", "demo", "view", "barlayout"} <= set(state)
    assert "width" not in state["barlayout"]["state"]  # a layout's nulls are left out
    assert nb.metadata.kernelspec == stored.course_kernelspec()
    assert stored.contract_problems(nb, Path("n.ipynb")) == []


def texts(cell):
    """What a code cell printed."""
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")


@pytest.mark.parametrize("relpath", SOLUTIONS)
def test_stored_solutions_are_a_clean_classroom_run(relpath, stored_metrics):
    """An instructor opening solutions/ on GitHub sees every check pass and the open task's picture."""
    nb = nbformat.read(ROOT / relpath, as_version=4)
    assert stored.contract_problems(nb, ROOT / relpath) == []
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"run `make execute NB={Path(relpath).name[:2]}` to store it"
    checks = [c for c in code if ".check(" in c.source]
    assert checks and all("Correct: " in texts(c) for c in checks), "a check did not pass in the stored run"
    start = next(k for k, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Open task"))
    task = list(itertools.takewhile(lambda c: c.cell_type == "code", nb.cells[start + 1:]))
    shown = [out for c in task for out in c.outputs
             if {"image/png", "image/jpeg"} & set(out.get("data", {})) or len(out.get("text", "")) > 200]
    assert shown, "the open task's result (a picture, or the text it writes) is not stored"
    metrics = stored_metrics(relpath)
    assert metrics["profile"] == "classroom" and metrics["exercises_passed"] == metrics["exercises_total"] >= 4


@pytest.mark.parametrize("relpath", EXERCISES)
def test_exercises_are_stored_without_outputs(relpath):
    nb = nbformat.read(ROOT / relpath, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "widgets" not in nb.metadata and nb.metadata.language_info == {"name": "python"}


def test_the_exercises_twin_of_an_executed_notebook_has_no_outputs():
    nb = executed_notebook()
    nb.cells[0].source = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    nb.cells[0].execution_count = 3
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    twin = exercises_from(nb)
    assert twin.cells[0].outputs == [] and twin.cells[0].execution_count is None
    assert "raise NotImplementedError" in twin.cells[0].source and "return 1" not in twin.cells[0].source
    assert "widgets" not in twin.metadata and twin.metadata.language_info == {"name": "python"}

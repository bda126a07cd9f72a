import json
import math
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import creative_lib as cl
from creative_lib.metrics import read_metrics, write_metrics
from creative_lib.session import resolve_profile, seed_everything


def test_environment_overrides_the_notebook_profile(monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "smoke")
    assert resolve_profile("classroom") == "smoke"
    monkeypatch.delenv("CREATIVE_LIB_PROFILE")
    assert resolve_profile("full") == "full"


def test_unknown_profile_is_a_one_sentence_error(monkeypatch):
    monkeypatch.delenv("CREATIVE_LIB_PROFILE", raising=False)
    with pytest.raises(ValueError, match="PROFILE must be one of smoke, classroom, full"):
        resolve_profile("fast")


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="SEED"):
        seed_everything(-1)


def test_seeding_makes_numpy_and_tensorflow_repeatable():
    seed_everything(7)
    a = np.random.rand(3), tf.random.uniform((3,)).numpy()
    seed_everything(7)
    b = np.random.rand(3), tf.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_setup_prints_one_line_and_pick_follows_the_profile(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "full")
    run = cl.setup("classroom", seed=3, output_dir=tmp_path / "out")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "profile full" in lines[0]
    assert ("CPU" in lines[0]) or ("GPU" in lines[0])
    assert run.pick(smoke=1, classroom=2, full=3) == 3
    assert run.pick(smoke=1, classroom=2) == 2
    assert (tmp_path / "out").is_dir()


def test_finish_writes_metrics_with_profile_seconds_and_prints_valid_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_PROFILE", "smoke")
    run = cl.setup("classroom", seed=0, output_dir=tmp_path)
    run.path("figure.png").write_bytes(b"x")
    run.finish(accuracy=np.float32(0.75), solved=np.bool_(True), grid=np.array([[6, 8], [4, 7]]))
    stored = read_metrics(tmp_path / "metrics.json")
    assert stored["profile"] == "smoke" and stored["seconds"] > 0
    assert stored["accuracy"] == pytest.approx(0.75) and stored["solved"] is True
    assert stored["grid"] == [[6, 8], [4, 7]]
    out = capsys.readouterr().out
    printed = out.split("metrics.json:\n", 1)[1]
    assert json.loads(printed[: printed.index("\n}") + 2]) == stored
    assert "figure.png" in out


def test_metrics_refuse_nan_and_missing_keys(tmp_path):
    with pytest.raises(ValueError, match="non-finite"):
        write_metrics(tmp_path / "m.json", profile="smoke", seconds=1.0, loss=math.nan)
    with pytest.raises(ValueError, match="seconds"):
        write_metrics(tmp_path / "m.json", profile="smoke")
    with pytest.raises(TypeError, match="model"):
        write_metrics(tmp_path / "m.json", profile="smoke", seconds=1.0, model=object())
    assert not (tmp_path / "m.json").exists()


def test_metrics_accept_tensors(tmp_path):
    record = write_metrics(tmp_path / "m.json", profile="smoke", seconds=1, loss=tf.constant(0.5))
    assert record["loss"] == 0.5


def test_environment_overrides_the_output_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CREATIVE_LIB_OUTPUT_DIR", str(tmp_path / "elsewhere"))
    run = cl.setup("smoke", seed=0, output_dir=tmp_path / "asked")
    assert run.output_dir == tmp_path / "elsewhere" / "asked" and not (tmp_path / "asked").exists()


@pytest.mark.parametrize("command", [["creative_lib.authoring", "export", "--check"], ["creative_lib.assets", "list"]])
def test_light_commands_do_not_import_tensorflow(command):
    """`make export` and `assets list` start in a second: only cl.setup (or a lesson's code) imports TensorFlow."""
    module, *args = command
    probe = (f"import runpy, sys\nsys.argv = [{module!r}, *{args!r}]\n"
             f"try:\n    runpy.run_module({module!r}, run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('tensorflow imported:', 'tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "tensorflow imported: False", done.stdout + done.stderr


def test_a_notebook_that_imports_creative_lib_first_shows_no_tensorflow_start_up_lines():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import creative_lib as cl"),
                                         nbformat.v4.new_code_cell("import tensorflow as tf\nprint(float(tf.constant(1.0) + 1))")])
    NotebookClient(nb, kernel_name="python3", timeout=300).execute()
    outputs = [out for cell in nb.cells for out in cell.outputs]
    assert [out.get("name") for out in outputs] == ["stdout"] and outputs[0]["text"] == "2.0\n", outputs

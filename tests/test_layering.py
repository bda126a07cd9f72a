"""The package's layers (CONTRIBUTING §1): core -> services -> topics -> plots -> demos -> exercises.

A module imports from its own layer and the layers before it, never from a later one; so a
renamed cell in a lesson can break that lesson's plots, demo and exercises, never a service.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "creative_lib"
LAYERS = {
    "core": {"clock", "__init__", "files", "metrics", "session", "plotting", "tables", "stored", "authoring"},
    "services": {"assets", "images", "training", "hed", "backbones", "classifiers", "corpus", "imagesets", "shapes",
                 "toydata", "paintings", "ngram", "textstats", "photos", "melodies", "audio"},
    "topics": {"nn", "cnn", "dream", "style", "gan", "cyclegan", "charrnn", "shapes_model", "charrnn_model", "melody_rnn"},
    "plots": {"nnplots", "cnnplots", "dreamplots", "styleplots", "ganplots", "textplots", "musicplots"},
    "demos": {"demos"},
    "exercises": {"exercises"},
}
ORDER = list(LAYERS)


def layer_of(module):
    """'creative_lib.demos.kit' or 'demos/kit' -> 'demos'."""
    parts = module.replace("/", ".").removeprefix("creative_lib").strip(".").split(".")
    name = parts[0] or "__init__"
    for layer, members in LAYERS.items():
        if name in members:
            return layer
    raise AssertionError(f"creative_lib.{name} belongs to no layer: add it to LAYERS and to CONTRIBUTING §1")


def is_module(name):
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()


def imported_modules(path):
    """The creative_lib modules a file imports (the module itself for `from creative_lib.x import y`)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("creative_lib"):
            if node.module == "creative_lib":
                found.update(f"creative_lib.{a.name}" for a in node.names if is_module(a.name))
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("creative_lib."))
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_a_later_layer(path):
    own = layer_of(path.relative_to(PACKAGE).with_suffix("").as_posix())
    upward = {m: layer_of(m) for m in imported_modules(path) if ORDER.index(layer_of(m)) > ORDER.index(own)}
    assert not upward, f"{path.name} ({own}) imports from later layers: {upward}"


def test_the_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "backbones.py"
    bad.write_text("from creative_lib.cnn import build_cnn\nfrom creative_lib import shapes\n")
    assert imported_modules(bad) == {"creative_lib.cnn", "creative_lib.shapes"}
    assert ORDER.index(layer_of("creative_lib.cnn")) > ORDER.index(layer_of("backbones"))


@pytest.mark.parametrize("path", [p for p in SOURCES if p.stem in LAYERS["plots"]], ids=lambda p: p.name)
def test_plots_take_functions_not_a_topic_modules_exports(path):
    """A figure draws the function it is given, so a student's edited cell is what it shows."""
    topics = {m for m in imported_modules(path) if layer_of(m) == "topics"}
    assert not topics, f"{path.name} imports {topics}: take the function as an argument instead"

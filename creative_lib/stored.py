"""What a stored lesson notebook must look like to a reader who has not run it (CONTRIBUTING §2, §11).

    store_for_readers(nb)          # after executing: demos, progress bars and kernelspec as a reader sees them
    contract_problems(nb, path)    # [] or what would break the course's rules: stderr, paths, size, widgets

`creative_lib.authoring.execute` runs both before it writes a notebook; the test suite runs the
second on every stored lesson.
"""
import base64
import html
import io
import json
import re

import nbformat

MAX_NOTEBOOK_BYTES = 3 * 2**20
MACHINE_PATH = re.compile(r"(/root/|/home/[a-z]|/tmp/|/mnt/|/Users/|[A-Z]:\\\\Users)")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
AUDIO_TAG = re.compile(r"<audio\b[^>]*>", re.I)
COMPRESSED_AUDIO = re.compile(r'src="data:audio/(ogg|mpeg|mp3|webm|opus);base64,')  # inlined and compressed
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((children|value|description|layout)=")  # "HBox(children=(VBox(..."
FROZEN_BAR = re.compile(r"(^|: )\s*0%\|")  # tqdm's first text, "name:   0%|          | 0/400 [..."


def course_kernelspec():
    """The kernelspec the course's kernel reports (what JupyterLab writes into a notebook it opens)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def _widget_models(nb):
    """model_id -> stored widget state ({"state": ..., "buffers": [...]}) from the notebook's metadata."""
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _model_refs(value):
    """Model ids that a widget's state refers to ("IPY_MODEL_<id>", in lists and dicts too)."""
    if isinstance(value, str):
        return [value[len("IPY_MODEL_"):]] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, dict):
        return [ref for v in value.values() for ref in _model_refs(v)]
    if isinstance(value, list):
        return [ref for v in value for ref in _model_refs(v)]
    return []


def _widget_tree(models, model_id):
    """model_id and every model it refers to (children, layouts, styles), depth first, each once."""
    seen, stack = [], [model_id]
    while stack:
        mid = stack.pop()
        if mid in seen or mid not in models:
            continue
        seen.append(mid)
        stack.extend(reversed(_model_refs(models[mid]["state"])))
    return seen


def _displayed_widgets(nb):
    """(cell index, output, model_id) of every output that shows a widget."""
    return [(i, out, out["data"][WIDGET_VIEW].get("model_id"))
            for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
            if WIDGET_VIEW in out.get("data", {})]


def _html_text(value):
    text = re.sub(r"<[^>]+>", "", value or "")
    return html.unescape(text).replace("\xa0", " ").replace("\u2007", " ")


def _progress_bar_text(models, model_id):
    """tqdm.notebook's final text ("name: 100%|██████████| 400/400 [00:06<00:00, ...]"), or None if not a bar."""
    state = models[model_id]["state"]
    kids = [models.get(ref) for ref in _model_refs(state.get("children", []))]
    names = [k["model_name"] if k else None for k in kids]
    if state.get("_model_name") != "HBoxModel" or names != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, bar, right = (k["state"] for k in kids)
    total, value = bar.get("max") or 0, bar.get("value") or 0
    filled = round(10 * value / total) if total else 10
    return f"{_html_text(left.get('value'))}|{'█' * filled}{' ' * (10 - filled)}|{_html_text(right.get('value'))}"


def _compact_picture(model):
    """Re-encode an Image widget's stored PNG as JPEG where that is much smaller (photos, feature maps);
    returns (mimetype, bytes) of the picture it now holds, or None when it holds none."""
    from PIL import Image

    state = model["state"]
    buffers = [b for b in model.get("buffers", []) if b.get("path") == ["value"]]
    if not buffers or state.get("format", "png") not in ("png", "jpeg"):
        return None
    data = base64.b64decode(buffers[0]["data"])
    if not data:
        return None
    if state.get("format", "png") == "png":
        picture = Image.open(io.BytesIO(data))
        if picture.mode in ("RGBA", "LA", "P"):
            picture = picture.convert("RGBA")
            white = Image.new("RGBA", picture.size, "white")
            picture = Image.alpha_composite(white, picture)
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        if out.tell() < 0.8 * len(data):
            data = out.getvalue()
            state["format"] = "jpeg"
            buffers[0]["data"] = base64.b64encode(data).decode("ascii")
    return f"image/{state.get('format', 'png')}", data


def _demo_snapshot(models, model_id):
    """What a reader of a stored demo should see: its text, and (mimetype, bytes) of its last picture or None."""
    controls, texts, picture = [], [], None
    for mid in _widget_tree(models, model_id):
        model = models[mid]
        state, name = model["state"], model["model_name"]
        label = state.get("description") or ""
        if name == "ImageModel":
            picture = _compact_picture(model) or picture
        elif name in ("HTMLModel", "HTMLMathModel", "LabelModel"):
            text = _html_text(state.get("value")).strip()
            if text:
                texts.append(text)
        elif name == "OutputModel":  # what an Output widget holds: its streams and plain texts
            for out in state.get("outputs", []):
                text = out.get("text") or out.get("data", {}).get("text/plain") or ""
                text = ("".join(text) if isinstance(text, list) else text).strip()
                if text:
                    texts.append(text)
        elif label and not name.endswith(("LayoutModel", "StyleModel")):
            value = state.get("value")
            if name.endswith(("DropdownModel", "SelectModel")) and state.get("index") is not None:
                labels = state.get("_options_labels") or []
                value = labels[state["index"]] if state["index"] < len(labels) else value
            if isinstance(value, str) and "\n" in value:
                value = repr(value)
            shown = isinstance(value, (str, int, float)) and not isinstance(value, bool)
            controls.append(f"{label}: {value}" if shown and name != "ButtonModel" else label)
    head = "Interactive demo (run the notebook to use it)"
    text = head + (": " + " · ".join(controls) if controls else "") + ("\n\n" + "\n".join(texts) if texts else "")
    return text, picture


def store_for_readers(nb):
    """Make a freshly executed notebook read well before anyone runs it.

    - Keep the state of the widgets it shows (and nothing else), so JupyterLab draws the demos
      and the finished progress bars as they ended, not as one line of repr text.
    - Give each widget output a text (and, for a demo with a picture, its last picture) that
      untrusted viewers and GitHub show instead: a finished bar as its final text, a demo as a
      line naming its controls, with its last picture or text.
    - Write the kernelspec that the course's kernel reports, so JupyterLab does not mark the
      notebook modified the moment it opens it.
    """
    models = _widget_models(nb)
    shown = _displayed_widgets(nb)
    for _, output, model_id in shown:
        if model_id not in models:
            continue
        bar = _progress_bar_text(models, model_id)
        if bar is not None:
            output["data"]["text/plain"] = bar
            continue
        text, picture = _demo_snapshot(models, model_id)
        output["data"]["text/plain"] = text
        if picture:
            mimetype, data = picture
            output["data"][mimetype] = base64.b64encode(data).decode("ascii")
    keep = {mid for _, _, model_id in shown for mid in _widget_tree(models, model_id)}
    for mid in keep:  # a layout's unset CSS properties are null, as they are by default: leave them out
        if models[mid]["model_name"] == "LayoutModel":
            models[mid]["state"] = {k: v for k, v in models[mid]["state"].items() if v is not None}
    if keep:  # set last: nbformat copies what it is given, and the pictures above were re-encoded in place
        nb.metadata["widgets"] = {WIDGET_STATE: {"state": {mid: models[mid] for mid in sorted(keep)},
                                                 "version_major": 2, "version_minor": 0}}
    else:
        nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = course_kernelspec()
    return nb


def contract_problems(nb, path):
    """What in a stored notebook breaks the contract: stderr, machine paths, size, and anything a
    reader would see broken before running it: a widget without its stored state, a repr line in
    place of a demo, a progress bar frozen at 0%, a player whose sound is a WAV or a file that is
    not there, a kernelspec that JupyterLab rewrites on opening."""
    problems = []
    models = _widget_models(nb)
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                problems.append(f"cell {i} wrote to stderr: {output.get('text', '')[:200]!r}")
            hit = MACHINE_PATH.search(json.dumps(output))
            if hit:
                problems.append(f"cell {i} prints a machine path ({hit.group(0)}...)")
            data = output.get("data", {})
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            for tag in AUDIO_TAG.findall(page):
                if not COMPRESSED_AUDIO.search(tag):
                    problems.append(f"cell {i} stores a player whose sound is not inlined as OGG or MP3 ({tag[:60]!r}...)")
            if WIDGET_VIEW in data:
                plain = data.get("text/plain", "")
                plain = "".join(plain) if isinstance(plain, list) else plain
                if data[WIDGET_VIEW].get("model_id") not in models:
                    problems.append(f"cell {i} shows a widget whose state is not stored")
                if WIDGET_REPR.match(plain):
                    problems.append(f"cell {i} stores a demo as repr text ({plain[:40]!r}...)")
                if FROZEN_BAR.search(plain):
                    problems.append(f"cell {i} stores a progress bar frozen at 0% ({plain[:40]!r}...)")
    expected = course_kernelspec()
    if "kernelspec" in nb.metadata and nb.metadata.kernelspec != expected:
        problems.append(f"kernelspec {nb.metadata.get('kernelspec')} is not the kernel's own {expected}: "
                        "JupyterLab would mark the notebook modified on opening")
    size = len(nbformat.writes(nb).encode())
    if size > MAX_NOTEBOOK_BYTES:
        problems.append(f"{path.name} would be {size / 2**20:.1f} MB; the limit is 3 MB")
    return problems

"""A JupyterLab server and a person at the keyboard, for the browser test of the lessons' demos.

    with LabServer(workdir) as lab:                 # JupyterLab with default settings, on 127.0.0.1
        page = lab.open(browser, "notebooks/01_neural_networks_and_backprop.ipynb")
        nb = Notebook(page)
        nb.run_all()                                # Run > Run All Cells, as a person would
        demo = nb.output_with(page.locator("button.widget-button", has_text="Train"))

The server runs on copies: `workdir/notebooks` holds copies of the repository's notebooks, and
the kernels write their outputs under `workdir/outputs` (CREATIVE_LIB_OUTPUT_DIR), so nothing in
the checkout is touched. Its settings, workspaces, config and data folders are fresh and empty,
so what the test sees is JupyterLab's defaults, not the developer's own settings.
"""
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path():
    """Debian's Chromium ($CHROMIUM, or chromium on PATH), or None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """`jupyter lab` on 127.0.0.1 with a token, default settings and the course in smoke."""

    def __init__(self, workdir, notebooks=("notebooks",), startup_timeout=90):
        self.workdir = Path(workdir)
        self.root = self.workdir / "root"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.notebooks, self.startup_timeout = notebooks, startup_timeout
        self.proc = None
        self.log_path = self.workdir / "jupyterlab.log"

    def env(self):
        env = dict(os.environ)
        fresh = {name: self.workdir / name for name in ("settings", "workspaces", "config", "data", "runtime")}
        for folder in fresh.values():
            folder.mkdir(parents=True, exist_ok=True)
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(fresh["settings"]),      # JupyterLab's defaults, not ours
            JUPYTERLAB_WORKSPACES_DIR=str(fresh["workspaces"]),  # no remembered layout or open tabs
            JUPYTER_CONFIG_DIR=str(fresh["config"]),             # no ~/.jupyter config
            JUPYTER_DATA_DIR=str(fresh["data"]),                 # no user kernelspecs or trust database
            JUPYTER_RUNTIME_DIR=str(fresh["runtime"]),
            CREATIVE_LIB_PROFILE="smoke",
            CREATIVE_LIB_OUTPUT_DIR=str(self.workdir / "outputs"),
            KERAS_HOME=env.get("KERAS_HOME") or str(self.workdir / "keras"),
            PYTHONUNBUFFERED="1",
        )
        env.pop("JUPYTER_PATH", None)
        env.pop("MPLBACKEND", None)  # the kernel's inline backend, as for a person
        return env

    def start(self):
        self.root.mkdir(parents=True, exist_ok=True)
        for folder in self.notebooks:
            shutil.copytree(ROOT / folder, self.root / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env(), stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer within {self.startup_timeout} s:\n{self.log()}")

    def log(self, tail=4000):
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # jupyter's own shutdown also ends the kernels it started
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def lab_url(self, relpath):
        # reset: a fresh workspace, so notebooks opened by an earlier test do not come back as tabs
        return f"{self.url}/lab/tree/{relpath}?token={self.token}&reset"

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self):
        """End every kernel session (what closing a notebook and shutting its kernel down does)."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def open(self, context, relpath):
        """A new page in `context` showing the notebook `relpath` (relative to the server's root)."""
        page = context.new_page()
        page.goto(self.lab_url(relpath))
        return page


# --------------------------------------------------------------------------------------------
# The notebook, as a person sees it
# --------------------------------------------------------------------------------------------

DEMO_ROOT = ".jp-OutputArea-output"


class Notebook:
    """The notebook panel in a JupyterLab page: run it, find outputs, wait for the kernel."""

    def __init__(self, page, timeout_s=240):
        self.page = page
        self.timeout_ms = timeout_s * 1000
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
        # loaded (no spinner, cells shown), and a kernel that is up and idle
        page.wait_for_function(
            """() => { const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                       return p && !p.querySelector('.jp-Spinner') && p.querySelector('.jp-Cell'); }""",
            timeout=120_000)
        self.wait_kernel_idle()

    # --- the kernel -------------------------------------------------------------------------

    def kernel_status(self):
        """What the status bar says of the kernel, e.g. 'Python 3 (ipykernel) | Idle'."""
        return self.page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r" \| ")).first.inner_text()

    def wait_kernel_idle(self, timeout_ms=120_000):
        self.page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle$")).first.wait_for(
            timeout=timeout_ms)

    def is_dirty(self):
        """Whether the notebook's tab says it has unsaved changes."""
        return self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty").count() > 0

    # --- running ------------------------------------------------------------------------------

    def menu(self, menu, item):
        """Click `item` in the menu bar's `menu` (Run > Run All Cells)."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
        self.page.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text(item, exact=True).first.click()

    def run_all(self):
        """Run > Run All Cells, then wait until every cell ran (or one failed). Returns seconds."""
        began = time.monotonic()
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(  # Run All marks every code cell [*] at once
            "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))", timeout=30_000)
        # every code cell shows [*] until it ran; the run stops at the first error
        self.page.wait_for_function(
            """() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                    .map(p => p.textContent.trim());
                if (prompts.some(p => p.includes('*'))) return false;
                const failed = panel.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] .ansi-red-fg, .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]');
                return failed || /\\[\\d+\\]/.test(prompts[prompts.length - 1] || '');
            }""", timeout=self.timeout_ms, polling=1000)
        self.wait_kernel_idle()
        return time.monotonic() - began

    def errors(self):
        """The text of every error output in the notebook."""
        return self.panel.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]').all_inner_texts()

    # --- finding things by what they are ------------------------------------------------------

    def output_with(self, locator, timeout_ms=30_000):
        """The one output area that holds `locator` (e.g. a button labelled Train)."""
        found = self.panel.locator(DEMO_ROOT).filter(has=locator)
        found.first.wait_for(state="attached", timeout=timeout_ms)
        count = found.count()
        if count != 1:
            raise AssertionError(f"expected one output holding {locator}, found {count}")
        return found.first


# --------------------------------------------------------------------------------------------
# Widgets, as a person uses them
# --------------------------------------------------------------------------------------------

def page_of(root):
    return root.page if hasattr(root, "page") else root


def labelled(root, kind, label):
    """The ipywidget of CSS class `widget-<kind>` in `root` (a page or locator) described `label`."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return root.locator(f".widget-{kind}").filter(
        has=page_of(root).locator("label.widget-label", has_text=exact)).first


def choose(root, label, option):
    """Pick `option` in the dropdown described `label`."""
    labelled(root, "dropdown", label).locator("select").select_option(label=option)


def drag_slider(root, label, fraction):
    """Drag the slider described `label` with the mouse to `fraction` (0..1) of its track."""
    slider = labelled(root, "slider", label)
    track = slider.locator(".noUi-target, .slider").first
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    box_t, box_h = track.bounding_box(), handle.bounding_box()
    page = page_of(root)
    page.mouse.move(box_h["x"] + box_h["width"] / 2, box_h["y"] + box_h["height"] / 2)
    page.mouse.down()
    target = box_t["x"] + max(0.0, min(1.0, fraction)) * box_t["width"]
    page.mouse.move(target, box_h["y"] + box_h["height"] / 2, steps=8)
    page.mouse.up()
    return slider.locator(".widget-readout").inner_text().strip()


def press(root, text):
    root.locator("button.widget-button", has_text=text).first.click()


def upload(root, path, button=None):
    """Press the upload button (`button`, else root's first) and give the file chooser `path`, as a person picks a file."""
    button = button or root.locator("button.widget-upload").first
    with page_of(root).expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))


def image_state(img):
    """(naturalWidth, naturalHeight, src) of an <img>, after it finished loading."""
    img.scroll_into_view_if_needed()
    return img.evaluate(
        """async (el) => {
            if (!el.complete) await new Promise(r => { el.onload = el.onerror = r; setTimeout(r, 5000); });
            return [el.naturalWidth, el.naturalHeight, el.getAttribute('src') || ''];
        }""")


def picture(img):
    """A screenshot of an <img> as it shows on screen: PNG bytes."""
    img.scroll_into_view_if_needed()
    return img.screenshot(animations="disabled")


def pixels_spread(png):
    """Standard deviation of a PNG's grey levels: about 0 for a blank or one-colour picture."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0]


def same_picture(a, b):
    from PIL import Image, ImageChops

    ia, ib = (Image.open(io.BytesIO(x)).convert("RGB") for x in (a, b))
    if ia.size != ib.size:
        return False
    return ImageChops.difference(ia, ib).getbbox() is None


def cut_labels(root):
    """Descriptions of widgets in `root` that are cut off (ellipsis): their text doesn't fit."""
    return root.evaluate(
        """(el) => [...el.querySelectorAll('label.widget-label, .widget-button, .widget-readout')]
            .filter(l => l.offsetParent !== null && l.scrollWidth > l.clientWidth + 1)
            .map(l => l.textContent.trim())""")

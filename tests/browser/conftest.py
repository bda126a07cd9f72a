"""Fixtures of the browser test (`make test-browser`): a JupyterLab server and Debian's Chromium.

Plain `pytest` and `make test` never collect this folder: it needs Chromium (a system package)
and Playwright (requirements-browser.txt), which `make test` does without. `make test-browser`
sets CREATIVE_LIB_BROWSER_TEST=1 and runs `pytest tests/browser`.

Environment:
- CHROMIUM: the browser binary (default: `chromium` on PATH, Debian's package);
- CREATIVE_LIB_BROWSER_SHOTS: a folder for the screenshots taken at key moments (default: a
  temporary folder, named at the end of the run);
- CREATIVE_LIB_BROWSER_HEADED=1: show the browser (needs a display).
"""
import os
import tempfile
from pathlib import Path

import pytest

if os.environ.get("CREATIVE_LIB_BROWSER_TEST") != "1":
    collect_ignore_glob = ["*.py"]


@pytest.fixture(scope="session")
def shots_dir():
    folder = Path(os.environ.get("CREATIVE_LIB_BROWSER_SHOTS") or tempfile.mkdtemp(prefix="creative-lib-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nbrowser test screenshots: {folder}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    from labdriver import LabServer

    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.start()
    yield server
    server.stop()
    print(f"\nJupyterLab's log: {server.log_path}")


@pytest.fixture(scope="session")
def browser():
    from labdriver import chromium_path

    executable = chromium_path()
    if executable is None:
        pytest.fail("No Chromium: install Debian's (apt-get install chromium) or set CHROMIUM to its path. "
                    "The test never downloads a browser.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable,
                                    headless=os.environ.get("CREATIVE_LIB_BROWSER_HEADED") != "1")
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    yield context
    context.close()

"""A new user's install: the README's commands, and the wheel alone (no checkout) serving a working app.

Builds the wheel with `pip wheel --no-deps`, installs it with its dependencies into a fresh virtual
environment and starts that environment's `flowdesk serve` in an empty folder, with nothing of the
checkout on the path: the examples must be published and the flow canvas's JavaScript served.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.designer.helpers import ARTIFACTS, CHROMIUM, launch_chromium
from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[1]
#: What a build reads: its configuration, the readme and the source folders.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "models", "codegen", "runtime", "designer", "examples")
EXAMPLE_KEYS = sorted(p.stem for p in (ROOT / "examples").glob("*.json") if p.stem != "customers")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path


@dataclass(frozen=True)
class Served:
    url: str
    folder: Path
    log: Path


def run(*command: str | Path, cwd: Path) -> None:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def clean_copy(target: Path) -> Path:
    """The files a build reads, copied: an in-tree build/ folder could slip stale files into the wheel."""
    target.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, target / name)
    return target


def clean_environment() -> dict[str, str]:
    """The environment without pytest's and the checkout's traces (PYTHONPATH, the test venv)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("PYTEST") and k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source = clean_copy(work / "source")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source, cwd=work)
    [wheel] = (work / "dist").glob("flowdesk-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=work)
    return Installed(wheel, venv)


@pytest.fixture(scope="module")
def served_from_empty_folder(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("empty")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder.parent / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen([str(installed.venv / "bin" / "flowdesk"), "serve", "--port", str(port)],
                                   cwd=folder, stdout=output, stderr=subprocess.STDOUT, env=clean_environment())
        try:
            deadline = time.monotonic() + 90
            while not _answers(f"{url}/login"):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the installed flowdesk did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.3)
            yield Served(url, folder, log)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def signed_in(url: str) -> Iterator[httpx.Client]:
    """An HTTP client holding the demo designer's session cookie."""
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.post("/api/session", json={"user": "ann", "password": "ann-demo"})
        assert response.status_code == 200, response.text
        yield client


@pytest.mark.slow
def test_the_wheel_carries_the_canvas_script_and_the_examples(installed: Installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "designer/elements/flow_canvas.js" in names
    assert {f"flowdesk_examples/{key}.json" for key in [*EXAMPLE_KEYS, "customers"]} <= names


@pytest.mark.slow
def test_the_installed_app_runs_from_its_own_files_not_the_checkout(installed: Installed, tmp_path: Path):
    result = subprocess.run([str(installed.venv / "bin" / "python"), "-c",
                             "import designer.app as a; print(a.__file__); print(a.EXAMPLES)"],
                            cwd=tmp_path, capture_output=True, text=True, env=clean_environment(), timeout=60)
    module, examples = result.stdout.split()
    assert Path(module).is_relative_to(installed.venv) and Path(examples).is_relative_to(installed.venv)


@pytest.mark.slow
def test_the_first_start_in_an_empty_folder_publishes_every_example(served_from_empty_folder: Served):
    with signed_in(served_from_empty_folder.url) as client:
        processes = client.get("/api/v1/processes").json()
    assert sorted(process["key"] for process in processes) == EXAMPLE_KEYS
    assert (served_from_empty_folder.folder / ".flowdesk").is_dir()  # the data folder is made where it started


@pytest.mark.slow
def test_the_editor_page_loads_the_canvas_script(served_from_empty_folder: Served):
    with signed_in(served_from_empty_folder.url) as client:
        page = client.get("/design/billing_complaint")
        assert page.status_code == 200
        scripts = re.findall(r"/_nicegui/[^\"']+/components/[^\"']*flow_canvas\.js", page.text)
        assert scripts, "the editor page names no flow canvas component"
        script = client.get(scripts[0])
    assert script.status_code == 200
    assert "fc-root" in script.text


@pytest.mark.slow
@pytest.mark.browser
def test_a_new_user_sees_an_example_drawn_on_the_canvas(served_from_empty_folder: Served):
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("needs Debian's /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{served_from_empty_folder.url}/login?redirect_to=/design/billing_complaint")
        page.get_by_label("Gebruikersnaam").fill("ann")  # a fresh installation speaks Dutch
        page.get_by_label("Wachtwoord").fill("ann-demo")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_selector(".fc-node")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wheel_first_start_canvas.png"))
        drawn = page.locator(".fc-node").count()
        browser.close()
    example = json.loads((ROOT / "examples" / "billing_complaint.json").read_text(encoding="utf-8"))
    assert drawn == len(example["nodes"])


def readme_start_commands() -> list[str]:
    """The commands of the README's "Start here" block, without comments."""
    block = re.search(r"## Start here.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "the README has no 'Start here' commands"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_the_app_without_the_test_extras_and_ci_runs_its_test_command():
    start, test = readme_start_commands()
    assert "pip install -q -e . " in start and "[test]" not in start and start.endswith("flowdesk serve")
    assert test.endswith("pytest") and "'.[test]'" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci

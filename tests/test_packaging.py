"""Packaging: a wheel built from the project carries the page (templates and static files) and
the engine's shipped tables, and once installed in a fresh virtual environment, `playground
serve` run from another directory serves the page, its modules, its stylesheet and the API from
the installed package, whose engine loads the tables.

Slow-ish (a wheel build and a pip install, about 10 s with pip's cache warm): pip fetches the
dependencies from the package index or its cache.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parent.parent
PIP_TIMEOUT = 300  # seconds: a cold cache downloads setuptools and the dependencies
SERVER_TIMEOUT = 30
# Browsers run a module only if it comes with a JavaScript media type.
MEDIA_TYPES = {".js": {"text/javascript", "application/javascript"}, ".css": {"text/css"},
               ".svg": {"image/svg+xml"}}


def run(command: list[str], timeout: float, **kwargs) -> str:
    """Run a command to completion; on failure, fail the test with its output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def outside_env() -> dict[str, str]:
    """The environment without anything that would let the repository's code leak in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "PYTHONUNBUFFERED": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def source_copy(destination: Path) -> Path:
    """The files git would commit (tracked or not ignored), copied out of the checkout: the build
    then leaves no build/ or *.egg-info in the repository, and no stale build/lib from an earlier
    build can hide a file the configuration fails to ship."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], 60, cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def build_isolation_flags() -> list[str]:
    """Skip pip's isolated build environment when this one already has a setuptools that builds
    wheels by itself (70.1 and later); otherwise pip fetches one, as pyproject.toml asks."""
    try:
        major, minor = (int(part) for part in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return []
    return ["--no-build-isolation"] if (major, minor) >= (70, 1) else []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    source = source_copy(work / "source")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", *build_isolation_flags(),
         "-w", str(work / "dist"), str(source)], PIP_TIMEOUT, env=outside_env())
    (built,) = (work / "dist").glob("nn_playground-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel (and its dependencies) installed; its bin/."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", str(venv)], 120)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], PIP_TIMEOUT,
        env=outside_env())
    return venv / "bin"


class InstalledServer:
    """`playground serve --port 0` from the installed package, started in an empty directory;
    `stop()` always ends it."""

    def __init__(self, bin_dir: Path, cwd: Path):
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen([str(bin_dir / "playground"), "serve", "--port", "0"], cwd=cwd,
                                        env=outside_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.url = self._announced_url()
        except BaseException:
            self.stop()
            raise

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def _announced_url(self) -> str:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break  # it exited without serving
                continue
            self.log.append(line)
            if found := re.search(r" on (http://127\.0\.0\.1:\d+)", line):
                return found.group(1)
        raise AssertionError("the installed server announced no address:\n" + "".join(self.log))

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of GET path (errors included, not raised)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get_content_type(), error.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="module")
def server(installed, tmp_path_factory):
    started = InstalledServer(installed, tmp_path_factory.mktemp("elsewhere"))
    try:
        yield started
    finally:
        started.stop()


def page_files() -> set[str]:
    """Every file of the page in the checkout, named as in the wheel (app/static/..., app/templates/...)."""
    return {f"app/{path.relative_to(ROOT).as_posix()}" for folder in ("static", "templates")
            for path in (ROOT / folder).rglob("*") if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_carries_the_page_and_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"app/templates/index.html", "app/static/favicon.svg", "app/static/css/playground.css",
            "app/static/js/main.js", "app/static/js/views/controls.js"} <= names
    assert page_files() - names == set(), "page files the wheel lacks"
    modules = {path.relative_to(ROOT).as_posix() for package in ("app", "engine")
               for path in (ROOT / package).glob("**/*.py") if "__pycache__" not in path.parts}
    assert modules - names == set(), "Python modules the wheel lacks"
    lessons = {path.relative_to(ROOT).as_posix() for path in (ROOT / "app/lessons").iterdir()}
    assert lessons and lessons - names == set(), "lesson files the wheel lacks"
    data = {path.relative_to(ROOT).as_posix() for path in (ROOT / "engine/data").iterdir()}
    assert {"engine/data/mnist_5k.npy.gz", "engine/data/house_prices.csv"} <= data
    assert data - names == set(), "dataset files the wheel lacks"


def test_the_installed_package_loads_the_shipped_tables(installed, tmp_path):
    code = ("from engine.tables import real_table; m = real_table('mnist'); h = real_table('house-prices'); "
            "print(m.train_x.shape, m.test_x.shape, h.train_x.shape, h.test_x.shape)")
    shapes = run([str(installed / "python"), "-c", code], 60, cwd=tmp_path, env=outside_env()).strip()
    assert shapes == "(4000, 784) (1000, 784) (437, 11) (109, 11)"


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    where = run([str(installed / "python"), "-c", "import app; print(app.__file__)"], 60, cwd=tmp_path,
                env=outside_env()).strip()
    assert Path(where).is_relative_to(installed.parent) and "site-packages" in Path(where).parts, where


def test_the_installed_server_serves_the_page_from_elsewhere(server):
    status, kind, body = server.get("/")
    assert (status, kind) == (200, "text/html"), body[:2000]
    html = body.decode()
    assert "data-app" in html and "<title>Neural Network Playground</title>" in html
    assets = set(re.findall(r'(?:src|href)="/static/([^"]+)"', html))
    assert {"js/main.js", "css/playground.css", "favicon.svg"} <= assets
    for asset in sorted(assets | {"js/views/controls.js"}):
        status, kind, served = server.get(f"/static/{asset}")
        assert status == 200 and served == (ROOT / "static" / asset).read_bytes(), asset
        assert kind in MEDIA_TYPES.get(Path(asset).suffix, {kind}), (asset, kind)


def test_the_installed_server_answers_the_api(server):
    status, kind, body = server.get("/api/options")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body) == json.loads(json.dumps(engine.options()))
    status, _, body = server.get("/api/lessons")
    assert status == 200 and "first-network" in {lesson["id"] for lesson in json.loads(body)["lessons"]}
    status, _, body = server.get("/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"

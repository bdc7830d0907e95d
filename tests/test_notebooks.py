"""The notebooks (notebooks/*.ipynb): each is exactly what notebooks/build.py makes (committed
without outputs), and each runs from top to bottom in a Jupyter kernel of this environment
(nbclient and ipykernel, the engine of this checkout), drawing its figures and printing the
results its text promises: a broken notebook, or an engine that no longer learns what the
notebooks teach, fails here. About 15 s for the three on two idle cores.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120  # seconds; a cell takes at most a few on an idle machine


def notebook_files() -> list[Path]:
    """The notebooks in notebooks/, but for executed copies (`jupyter execute … --output NAME.out`,
    ignored by git)."""
    return sorted(path for path in NOTEBOOKS.glob("*.ipynb") if not path.name.endswith(".out.ipynb"))


def load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def number(text: str) -> float:
    return float(text.replace(",", ""))


# What each notebook must print (a pattern whose groups are numbers, and a check of them), and
# how many figures it draws at least.
EXPECTED = {
    "house-prices": {
        "figures": 2,
        "prints": [
            (r"network \[8\] relu: +RMSE +([\d,]+) CAD, R² (-?[\d.]+)", lambda rmse, r2: r2 > 0.3 and rmse < 20_000),
            (r"the mean \([\d,]+ CAD\) for all: RMSE +([\d,]+) CAD, R² (-?[\d.]+)", lambda rmse, r2: rmse > 20_000 and abs(r2) < 0.05),
            (r"the engine's metrics: +RMSE +([\d,]+) CAD, R² (-?[\d.]+)", lambda rmse, r2: r2 > 0.3),
            (r"linear model: +RMSE +([\d,]+) CAD, R² (-?[\d.]+)", lambda rmse, r2: r2 > 0.4),
            (r"bathrooms +\+([\d,]+) CAD per one more", lambda cad: 5_000 < cad < 30_000),
        ],
    },
    "digits": {
        "figures": 8,
        "prints": [
            (r"before training: test accuracy ([\d.]+)", lambda accuracy: accuracy < 0.3),
            (r"test accuracy after (\d+) epochs: ([\d.]+)", lambda epochs, accuracy: epochs == 15 and accuracy >= 0.9),
            (r"(\d+) mistakes in these 40; (\d+) in all 1000 test images", lambda few, all_: few <= 8 and all_ <= 100),
            (r"first weight matrix: \((\d+), (\d+)\)", lambda units, pixels: (units, pixels) == (32, 784)),
        ],
    },
    "playground": {
        "figures": 6,
        "prints": [
            (r"spiral after (\d+) epochs: test accuracy ([\d.]+)", lambda epochs, accuracy: epochs == 1500 and accuracy >= 0.9),
            (r"largest difference between the page's map and predict: ([\d.]+)", lambda difference: difference < 0.05),
            (r"ball after (\d+) epochs: test accuracy ([\d.]+)", lambda epochs, accuracy: accuracy >= 0.85),
        ],
    },
}


def test_the_notebooks_are_what_build_py_makes_without_outputs():
    build = load_build()
    assert {path.stem for path in notebook_files()} == set(build.NOTEBOOKS) == set(EXPECTED)
    for name in build.NOTEBOOKS:
        path = NOTEBOOKS / f"{name}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: commit it without outputs"
        assert path.read_text() == build.text_of(name), f"{path.name} is out of date: run python notebooks/build.py"


def execute(path: Path, monkeypatch, tmp_path) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel, in its own folder, with this checkout's engine."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend: figures as outputs
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))  # the kernel's connection file
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


@pytest.mark.parametrize("name", [path.stem for path in notebook_files()])
def test_the_notebook_runs_and_shows_what_it_says(name, monkeypatch, tmp_path):
    notebook = execute(NOTEBOOKS / f"{name}.ipynb", monkeypatch, tmp_path)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]  # (nbclient raises on the first)
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    # (matplotlib's first run in a new environment says it builds its font cache: not a warning)
    assert not re.search(r"\w+Warning\b", stderr), f"{name} warned:\n{stderr}"
    printed = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    expected = EXPECTED[name]
    assert len(figures) >= expected["figures"], f"{name} drew {len(figures)} figures"
    for pattern, check in expected["prints"]:
        found = re.search(pattern, printed)
        assert found, f"{name} did not print {pattern!r}; it printed:\n{printed}"
        values = [number(group) for group in found.groups()]
        assert check(*values), f"{name}: {found.group(0)!r}"


def test_the_test_extra_installs_what_the_notebooks_need():
    """scripts/dev installs `.[test]`: the test run has the notebooks' packages only through it."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["notebooks"] and set(extras["notebooks"]) <= set(extras["test"])

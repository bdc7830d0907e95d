"""The engine must reproduce every replay file (docs/replay-format.md) to 1e-6.

tests/fixtures/parity/ holds runs recorded from TensorFlow Playground and PyTorch;
tests/fixtures/replays/ holds runs written by tests/make_replays.py with the independent pure-Python
reference in tests/reference_trainer.py. Each file is run through `python -m engine.replay` in a
subprocess, exactly as a user would, so only the command's printed JSON is trusted.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TESTS_DIR)
PARITY_DIR = os.path.join(TESTS_DIR, "fixtures", "parity")
REPLAYS_DIR = os.path.join(TESTS_DIR, "fixtures", "replays")
TOLERANCE = 1e-6
FIELDS = ("train_loss", "test_loss", "final_weights", "final_biases")


def _load_make_replays():
    spec = importlib.util.spec_from_file_location(
        "make_replays_for_tests", os.path.join(TESTS_DIR, "make_replays.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE_REPLAYS = _load_make_replays()
GENERATED = [name + ".json" for name in MAKE_REPLAYS.case_names()]


def _json_files(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(f for f in os.listdir(directory) if f.endswith(".json"))


# Generated files are listed from the script's cases (so a missing file fails its own test),
# plus anything else lying in the directory.
REPLAY_FILES = (
    [os.path.join(PARITY_DIR, f) for f in _json_files(PARITY_DIR)]
    + [os.path.join(REPLAYS_DIR, f) for f in sorted(set(GENERATED) | set(_json_files(REPLAYS_DIR)))]
)


def run_engine_replay(path):
    proc = subprocess.run(
        [sys.executable, "-m", "engine.replay", path],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, (
        "python -m engine.replay %s failed (exit %d):\n%s" % (path, proc.returncode, proc.stderr))
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail("engine.replay printed no JSON for %s (%s):\n%s" % (path, exc, proc.stdout[:2000]))


def _flatten(value, path):
    if isinstance(value, list):
        for k, v in enumerate(value):
            yield from _flatten(v, "%s[%d]" % (path, k))
    else:
        yield path, value


def disagreements(expected, got):
    """Every field/index where got differs from expected by more than TOLERANCE."""
    problems = []
    if list(got.get("epochs", [])) != list(expected["epochs"]):
        problems.append("epochs: expected %r, got %r" % (expected["epochs"], got.get("epochs")))
    for field in FIELDS:
        if field not in got:
            problems.append("%s: missing from the engine's output" % field)
            continue
        exp = list(_flatten(expected[field], field))
        res = list(_flatten(got[field], field))
        if [p for p, _ in exp] != [p for p, _ in res]:
            problems.append("%s: shape differs (expected %d numbers, got %d)"
                            % (field, len(exp), len(res)))
            continue
        for (path, e), (_, r) in zip(exp, res):
            if not isinstance(r, (int, float)) or not abs(float(r) - e) <= TOLERANCE:
                diff = abs(float(r) - e) if isinstance(r, (int, float)) else float("nan")
                problems.append("%s: expected %r, engine %r (|diff| %.3g)" % (path, e, r, diff))
    return problems


@pytest.mark.parametrize("path", REPLAY_FILES, ids=[os.path.basename(p)[:-5] for p in REPLAY_FILES])
def test_engine_reproduces_replay_file(path):
    assert os.path.exists(path), (
        "%s is missing: run `python tests/make_replays.py`" % os.path.relpath(path, REPO_ROOT))
    with open(path) as f:
        replay = json.load(f)
    assert replay["format"] == "replay/1"
    problems = disagreements(replay["expected"], run_engine_replay(path))
    assert not problems, "%s: engine disagrees with the file in %d place(s) (tolerance %g):\n  %s" % (
        os.path.basename(path), len(problems), TOLERANCE, "\n  ".join(problems[:25]))


def test_replay_reads_only_epochs_under_expected(tmp_path):
    """A file may carry only expected.epochs; the command must not need anything else there."""
    source = os.path.join(PARITY_DIR, "torch-softmax3-adam.json")
    with open(source) as f:
        replay = json.load(f)
    full_expected = replay["expected"]
    replay["expected"] = {"epochs": full_expected["epochs"]}
    bare = tmp_path / "epochs-only.json"
    bare.write_text(json.dumps(replay))
    problems = disagreements(full_expected, run_engine_replay(str(bare)))
    assert not problems, "epochs-only file:\n  " + "\n  ".join(problems[:25])


def test_generated_replay_files_are_all_present():
    present = set(_json_files(REPLAYS_DIR))
    assert len(GENERATED) == len(MAKE_REPLAYS.CASES) >= 14
    missing = sorted(set(GENERATED) - present)
    extra = sorted(present - set(GENERATED))
    assert not missing and not extra, (
        "tests/fixtures/replays/ is out of step with tests/make_replays.py "
        "(missing %s, unexpected %s): run `python tests/make_replays.py`" % (missing, extra))
    assert len(present) == len(MAKE_REPLAYS.CASES)


def test_generated_l1_cases_contain_dead_links():
    """The L1 cases exist to pin the dead-link rule: some weight must have ended at exactly 0."""
    l1_cases = [c for c in MAKE_REPLAYS.CASES if c.get("expect_dead")]
    assert l1_cases
    for case in l1_cases:
        with open(os.path.join(REPLAYS_DIR, case["name"] + ".json")) as f:
            expected = json.load(f)["expected"]
        zeros = [p for p, w in _flatten(expected["final_weights"], "w") if w == 0.0]
        assert zeros, "%s: no weight ended at exactly 0" % case["name"]

"""Model files and the NumPy script (issue 13, docs/protocol.md `export_model` / `import_model` /
`model`): a model made plain JSON and back predicts exactly as the run it came from, every bad part
of a file is refused naming it as model.…, and the script rebuilds the network with NumPy alone."""

from __future__ import annotations

import ast
import copy
import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from engine import LIMITS, ConfigError, Run, model_of, numpy_script, options, parse_csv, run_from_model, \
    run_from_model_in_steps
from engine.modelfile import FORMAT, KEYS, VERSION

GRID = np.array([[x, y] for x in np.linspace(-6, 6, 41) for y in np.linspace(-6, 6, 41)])


def own_points(problem: str, n: int = 80) -> str:
    def label(i: int):
        if problem == "classification":
            return 1 if (i * 7) % 11 < 5 else 0
        if problem == "multiclass":
            return i % 4
        return round(math.sin(i) * 3.3333333, 6)
    return "".join(f"{math.cos(i * 0.7) * 5.123456},{math.sin(i * 1.1) * 4.987654},{label(i)}\n" for i in range(n))


def custom_run(problem: str = "classification", **settings) -> Run:
    dataset = options()["dataset"][problem][0]
    run = Run({"problem": problem, "dataset": dataset, **settings})
    run.set_data(parse_csv(own_points(problem), problem, 60))
    return run


def as_json(model: dict) -> dict:
    """Through text and back, as a file is: fails on anything but plain JSON (NumPy numbers,
    tuples become lists, NaN is not allowed)."""
    return json.loads(json.dumps(model, allow_nan=False))


def refusal(model, own_data=None) -> list[tuple[str, str]]:
    steps = run_from_model_in_steps(model, own_data)
    with pytest.raises(ConfigError) as caught:
        next(steps)  # the first step checks everything, before anything is made
    with pytest.raises(ConfigError):
        run_from_model(model, own_data)
    return caught.value.errors


def fields(model, own_data=None) -> list[str]:
    return [field for field, _ in refusal(model, own_data)]


# -- a model and back ---------------------------------------------------------------------------------

CONFIGS = {
    "tanh classification": {"dataset": "xor", "activation": "tanh", "network_shape": [5, 3], "noise": 10},
    "sigmoid cross-entropy": {"dataset": "circle", "loss": "cross_entropy", "activation": "sigmoid",
                              "features": ["x", "y", "xSquared", "ySquared"]},
    "relu regression": {"problem": "regression", "dataset": "reg-gauss", "activation": "relu", "network_shape": [6, 4]},
    "multiclass softmax": {"problem": "multiclass", "dataset": "multi-spiral", "num_classes": 5,
                           "loss": "cross_entropy", "activation": "tanh", "network_shape": [8]},
    "multiclass tanh": {"problem": "multiclass", "dataset": "multi-pie", "loss": "half_square", "num_classes": 4},
    "L1": {"dataset": "spiral", "regularization": "L1", "regularization_rate": 0.003,
           "features": ["x", "y", "sinX", "sinY", "xTimesY"]},
    "L2": {"dataset": "gauss", "regularization": "L2", "regularization_rate": 0.01, "activation": "swish"},
    "adam": {"dataset": "xor", "optimizer": "adam", "learning_rate": 0.01, "batching": "standard",
             "activation": "elu", "network_shape": [4, 4, 2]},
    "momentum": {"problem": "regression", "dataset": "reg-plane", "optimizer": "momentum",
                 "activation": "leaky_relu", "network_shape": []},
    "logic": {"dataset": "logic", "gate": "nand", "network_shape": [2], "activation": "sigmoid"},
}


def trained(name: str) -> Run:
    run = Run({"seed": f"model {name}", **CONFIGS[name]})
    run.step(13)
    return run


def assert_predicts_the_same(a: Run, b: Run) -> None:
    np.testing.assert_allclose(b.predict(GRID), a.predict(GRID), rtol=0, atol=1e-12)
    first = bytes(a.grids().output)  # read before the next evaluation overwrites it
    assert bytes(b.grids().output) == first
    for x, y in zip(a.weights() + a.biases(), b.weights() + b.biases()):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", CONFIGS)
def test_a_model_through_json_predicts_as_its_run(name):
    run = trained(name)
    model = model_of(run)
    assert json.loads(json.dumps(model)) == model  # plain data: nothing json changes on the way
    restored = run_from_model(as_json(model))
    assert restored.config == run.config
    assert restored.epoch == run.epoch == 13
    assert restored.layer_sizes == run.layer_sizes
    assert restored.head == run.head
    assert_predicts_the_same(run, restored)
    assert restored.metrics.train_loss == pytest.approx(run.metrics.train_loss, abs=1e-12)
    assert restored.metrics.test_loss == pytest.approx(run.metrics.test_loss, abs=1e-12)
    assert restored.metrics.train_accuracy == run.metrics.train_accuracy
    # Training goes on from there.
    before = [w.copy() for w in restored.weights()]
    metrics = restored.step(1)
    assert metrics.epoch == 14 and not metrics.diverged
    assert math.isfinite(metrics.train_loss) and math.isfinite(metrics.test_loss)
    assert any(not np.array_equal(w, v) for w, v in zip(before, restored.weights()))


def test_the_models_parts_are_as_the_protocol_says():
    run = trained("multiclass softmax")
    model = model_of(run)
    assert list(model) == ["format", "version", "config", "epoch", "layer_sizes", "weights", "biases", "edits"]
    assert model["format"] == FORMAT == "nn-playground-model" and model["version"] == VERSION == 1
    sizes = model["layer_sizes"]
    assert sizes == [2, 8, 5]
    assert len(model["weights"]) == len(model["biases"]) == len(sizes) - 1
    for l, (w, b) in enumerate(zip(model["weights"], model["biases"])):
        assert len(w) == sizes[l + 1] and all(len(row) == sizes[l] for row in w)
        assert len(b) == sizes[l + 1]
    assert all(type(v) is float for w in model["weights"] for row in w for v in row)
    # Weights as the doubles they are: [l][j][i] from node i of layer l to node j of layer l + 1.
    assert model["weights"][1][3][6] == run.weights()[1][3, 6]
    assert model["biases"][0][7] == run.biases()[0][7]
    assert model["config"] == dict(run.config) and "data" not in model


def test_a_model_of_your_own_points_carries_them():
    run = custom_run("regression", network_shape=[5], activation="sin", seed="mine")
    run.step(9)
    model = as_json(model_of(run))
    data = run.data
    assert model["config"]["dataset"] == "custom"
    assert model["data"]["train"] == [[x, y, l] for (x, y), l in zip(data.train_xy.tolist(), data.train_labels.tolist())]
    assert model["data"]["test"] == [[x, y, l] for (x, y), l in zip(data.test_xy.tolist(), data.test_labels.tolist())]
    restored = run_from_model(model)
    assert restored.config["dataset"] == "custom" and restored.epoch == 9
    for name in ("train_xy", "train_labels", "test_xy", "test_labels"):
        np.testing.assert_array_equal(getattr(restored.data, name), getattr(data, name))
    assert_predicts_the_same(run, restored)
    assert restored.metrics.train_loss == pytest.approx(run.metrics.train_loss, abs=1e-12)
    assert math.isfinite(restored.step(1).train_loss) and restored.epoch == 10


@pytest.mark.parametrize("problem", ["classification", "multiclass"])
def test_custom_models_of_each_problem(problem):
    run = custom_run(problem, seed="each")
    run.step(5)
    restored = run_from_model(as_json(model_of(run)))
    assert restored.config == run.config
    assert_predicts_the_same(run, restored)


def test_a_custom_model_without_data_uses_the_points_loaded():
    run = custom_run("classification", seed="own")
    run.step(4)
    model = as_json(model_of(run))
    del model["data"]
    restored = run_from_model(model, own_data=run.data)
    assert restored.data is run.data
    assert_predicts_the_same(run, restored)
    # Without points loaded: refused, naming model.data (and not also the config's dataset).
    errors = refusal(model)
    assert [field for field, _ in errors] == ["model.data"]
    assert "missing" in errors[0][1]
    # Points carried by the model win over the ones loaded.
    carried = as_json(model_of(run))
    other = parse_csv("1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n3,3,1\n-3,-3,-1\n" * 5, "classification", 50)
    assert run_from_model(carried, own_data=other).data.train_xy.shape == run.data.train_xy.shape
    # A model not of your own points ignores them.
    plain = model_of(trained("tanh classification"))
    restored = run_from_model(plain, own_data=run.data)
    assert restored.config["dataset"] == "xor" and restored.data is not run.data


def test_the_optimizers_memory_is_not_in_a_model():
    run = trained("adam")
    restored = run_from_model(as_json(model_of(run)))
    moments = restored.trainer.state_arrays()[1:]  # (the first is which links are alive)
    assert moments and not any(np.any(a) for a in moments), "Adam's moments start afresh"
    assert any(np.any(a) for a in run.trainer.state_arrays()[1:])


# -- refusals -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good() -> dict:
    return as_json(model_of(trained("tanh classification")))


def changed(model: dict, **parts) -> dict:
    out = copy.deepcopy(model)
    out.update(parts)
    return out


def test_the_good_model_is_accepted(good):
    assert run_from_model(copy.deepcopy(good)).epoch == 13


@pytest.mark.parametrize("model", [None, [], "model", 3])
def test_a_model_that_is_not_an_object(model):
    assert fields(model) == ["model"]


@pytest.mark.parametrize("part, value, field", [
    ("format", "nn-playground", "model.format"),
    ("format", None, "model.format"),
    ("version", 2, "model.version"),
    ("version", "1", "model.version"),
    ("version", None, "model.version"),
    ("version", True, "model.version"),
    ("epoch", -1, "model.epoch"),
    ("epoch", True, "model.epoch"),
    ("epoch", False, "model.epoch"),
    ("epoch", "13", "model.epoch"),
    ("epoch", 13.0, "model.epoch"),
    ("epoch", None, "model.epoch"),
    ("config", [], "model.config"),
    ("config", "tanh", "model.config"),
    ("config", None, "model.config"),
    ("layer_sizes", [2, 5, 3, 2], "model.layer_sizes"),
    ("layer_sizes", [2, 5, 3], "model.layer_sizes"),
    ("layer_sizes", "2,5,3,1", "model.layer_sizes"),
])
def test_each_bad_part_is_named(good, part, value, field):
    assert fields(changed(good, **{part: value})) == [field]


def test_missing_parts_are_named(good):
    for part in ("format", "version", "epoch", "config", "layer_sizes", "weights", "biases"):
        model = copy.deepcopy(good)
        del model[part]
        assert fields(model) == [f"model.{part}"], part


def test_an_unknown_part_is_named(good):
    errors = refusal(changed(good, optimizer_state=[1, 2], Weights=[]))
    assert sorted(field for field, _ in errors) == ["model.Weights", "model.optimizer_state"]
    assert all(", ".join(KEYS) in message for _, message in errors)


@pytest.mark.parametrize("update, field", [
    ({"activation": "gelu"}, "model.config.activation"),
    ({"learning_rate": 0}, "model.config.learning_rate"),
    ({"network_shape": "4,2"}, "model.config.network_shape"),
    ({"dataset": "moons"}, "model.config.dataset"),
    ({"colour": "blue"}, "model.config.colour"),
    ({"dataset": "custom"}, "model.data"),
])
def test_a_bad_config_field_is_named(good, update, field):
    model = copy.deepcopy(good)
    model["config"].update(update)
    assert fields(model) == [field]


def test_a_config_for_another_network_is_a_layer_sizes_mismatch(good):
    model = copy.deepcopy(good)
    model["config"]["network_shape"] = [5, 2]
    errors = refusal(model)
    assert errors == [("model.layer_sizes", "must be [2, 5, 2, 1], the network of the model's config; got [2, 5, 3, 1]")]


def wrong_shapes(good):
    w, b = good["weights"], good["biases"]
    return [
        ("weights", w[:2], "model.weights"),
        ("weights", w + [[[0.0]]], "model.weights"),
        ("weights", [w[0][:4], w[1], w[2]], "model.weights"),  # a row short
        ("weights", [w[0], [row + [0.5] for row in w[1]], w[2]], "model.weights"),  # a column too many
        ("weights", [w[0], w[1], w[2][0]], "model.weights"),  # a row for a matrix
        ("weights", "weights", "model.weights"),
        ("biases", b[:2], "model.biases"),
        ("biases", [b[0], b[1] + [0.0], b[2]], "model.biases"),
        ("biases", [b[0], b[1], [b[2]]], "model.biases"),
        ("biases", {"0": b[0]}, "model.biases"),
    ]


def test_weights_and_biases_of_the_wrong_shape(good):
    for part, value, field in wrong_shapes(good):
        assert fields(changed(good, **{part: value})) == [field], (part, value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, LIMITS["parameter"] * 1.000001,
                                   -LIMITS["parameter"] - 1, True, "0.5", None, [0.5]])
def test_weights_and_biases_that_are_not_finite_numbers_within_the_limit(good, value):
    model = copy.deepcopy(good)
    model["weights"][1][2][0] = value
    errors = refusal(model)
    assert errors == [("model.weights", f"layer 1: must be 3 rows of 5 numbers, each finite and within ±{LIMITS['parameter']:g}")]
    model = copy.deepcopy(good)
    model["biases"][2][0] = value
    assert refusal(model) == [("model.biases", f"layer 2: must be 1 numbers, each finite and within ±{LIMITS['parameter']:g}")]


def test_the_limit_itself_and_integers_are_accepted(good):
    model = copy.deepcopy(good)
    model["weights"][0][0][0] = LIMITS["parameter"]
    model["weights"][0][0][1] = -LIMITS["parameter"]
    model["biases"][0][0] = 2
    run = run_from_model(model)
    assert run.weights()[0][0, 0] == LIMITS["parameter"] and run.biases()[0][0] == 2.0


def test_every_problem_is_named_at_once(good):
    model = changed(good, format="x", version=0, epoch=-3, extra=1)
    model["config"]["activation"] = "nope"
    errors = fields(model)
    assert sorted(errors) == ["model.config.activation", "model.epoch", "model.extra", "model.format", "model.version"]
    # Shapes are checked against a config that is itself good.
    model = changed(good, epoch=-1, weights=[])
    assert sorted(fields(model)) == ["model.epoch", "model.weights"]


def test_bad_points_in_a_custom_model_are_named(good):
    run = custom_run("classification")
    model = as_json(model_of(run))
    model["data"]["train"][3] = [1, 1, 5]
    model["data"]["test"][0] = [9, 0, 1]
    errors = refusal(model)
    assert [field for field, _ in errors] == ["model.data.train", "model.data.test"]
    assert "entry 3: label must be -1 or 1" in errors[0][1]
    assert "entry 0: x = 9.0 is outside the plane's view" in errors[1][1]
    model["data"] = {"train": [], "test": []}
    assert fields(model) == ["model.data"]
    model["data"] = "points"
    assert fields(model) == ["model.data.train", "model.data.test"]


def test_a_multiclass_model_needs_an_output_for_each_class_of_its_points():
    four = custom_run("multiclass", seed="four")  # classes 0..3: num_classes 4
    assert four.config["num_classes"] == 4
    three = as_json(model_of(Run({"problem": "multiclass", "dataset": "multi-gauss", "num_classes": 3})))
    three["config"].update(dataset="custom", batch_size=1)
    three["data"] = as_json(model_of(four))["data"]
    expected = [("model.config.num_classes", "must be at least 4: the model's points have classes up to 3")]
    assert refusal(three) == expected
    del three["data"]
    assert refusal(three, own_data=four.data) == expected


@pytest.mark.parametrize("model_problem, points_problem", [
    ("multiclass", "classification"),  # labels -1 are no class
    ("classification", "multiclass"),  # classes 2, 3 are no side
    ("classification", "regression"),
    ("multiclass", "regression"),
])
def test_points_loaded_for_another_problem_do_not_stand_in_for_a_models_own(model_problem, points_problem):
    model = as_json(model_of(custom_run(model_problem, seed="theirs")))
    del model["data"]
    loaded = custom_run(points_problem, seed="mine").data
    errors = refusal(model, own_data=loaded)
    assert [field for field, _ in errors] == ["model.data"]
    assert f"the points loaded are not for {model_problem}" in errors[0][1]


def test_a_refused_model_makes_nothing(good, monkeypatch):
    made = []
    original = Run.in_steps.__func__

    def spy(cls, *args, **kwargs):
        made.append(args)
        return (yield from original(cls, *args, **kwargs))

    monkeypatch.setattr(Run, "in_steps", classmethod(spy))
    steps = run_from_model_in_steps(changed(good, epoch=-1))
    with pytest.raises(ConfigError):
        next(steps)
    assert made == []
    run = run_from_model(copy.deepcopy(good))  # the spy does see a good one made
    assert len(made) == 1 and run.epoch == 13


# -- the NumPy script ---------------------------------------------------------------------------------

POINTS = [[-5.5, -5.5], [-3.25, 2.0], [0.0, 0.0], [0.1, -0.2], [1.0, 4.5], [2.718, -3.14], [5.9, 5.9], [4.0, -1.0]]
HEADS = {  # the head each config gets: every output the engine has
    "tanh": {"problem": "classification", "dataset": "xor"},
    "sigmoid": {"problem": "classification", "dataset": "circle", "loss": "cross_entropy"},
    "linear": {"problem": "regression", "dataset": "reg-plane"},
    "softmax": {"problem": "multiclass", "dataset": "multi-gauss", "loss": "cross_entropy", "num_classes": 4},
    "tanh (classes)": {"problem": "multiclass", "dataset": "multi-pie", "loss": "half_square", "num_classes": 3},
}

RUNNER = textwrap.dedent("""
    import json, runpy, sys
    points, paths = json.loads(sys.stdin.read())
    out = {}
    for path in paths:
        script = runpy.run_path(path)  # as a module: __name__ is not "__main__"
        out[path] = script["predict"](points).tolist()
    out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("engine", "app", "flask"))
    print(json.dumps(out))
""")


def script_runs() -> list[tuple[str, Run]]:
    """A trained run for every activation under every head, with every feature used somewhere."""
    runs = []
    features = options()["features"]
    for a, activation in enumerate(options()["activation"]):
        for h, (head, settings) in enumerate(HEADS.items()):
            chosen = [features[(a + h + k) % len(features)] for k in range(1 + (a + h) % 4)]
            shape = [[3], [4, 2], [2, 3, 2]][(a + h) % 3]
            run = Run({**settings, "activation": activation, "features": chosen, "network_shape": shape,
                       "seed": f"script {activation} {head}", "num_points": 100, "learning_rate": 0.03})
            run.step(3)
            assert run.head == head.split()[0]
            runs.append((f"{activation} {head}", run))
    return runs


def test_the_numpy_script_predicts_as_the_run(tmp_path):
    runs = script_runs()
    assert len(runs) == len(options()["activation"]) * len(HEADS)
    paths = []
    for i, (name, run) in enumerate(runs):
        path = tmp_path / f"model_{i}.py"
        path.write_text(numpy_script(run))
        paths.append(str(path))
    # -I: isolated (no PYTHONPATH, not the current directory); the scripts must load no module of
    # this project (the shared venv has it installed, so importing it would work: checked below).
    done = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=json.dumps([POINTS, paths]),
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["modules"] == []
    for (name, run), path in zip(runs, paths):
        expected = run.predict(np.array(POINTS))
        got = np.array(out[path])
        assert got.shape == expected.shape == (run.layer_sizes[-1], len(POINTS)), name
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9, err_msg=name)
        assert not np.allclose(expected, expected[:, :1]), name  # the points do get different outputs


def test_the_script_imports_only_numpy_and_sys():
    for name, run in script_runs()[::7]:
        tree = ast.parse(numpy_script(run))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert imported == {"numpy", "sys"}, name


def test_the_script_as_a_program_prints_its_outputs(tmp_path):
    run = Run({"problem": "multiclass", "dataset": "multi-spiral", "loss": "cross_entropy", "num_classes": 3,
               "seed": "program", "activation": "relu", "network_shape": [6, 3]})
    run.step(20)
    path = tmp_path / "playground_model.py"
    path.write_text(numpy_script(run))
    given = subprocess.run([sys.executable, "-I", str(path), "1,2", "-3,0.5", "5.5,-6"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=60)
    plain = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    for done, points in ((given, [(1, 2), (-3, 0.5), (5.5, -6)]),
                         (plain, [(-4, -4), (-4, 4), (0, 0), (4, -4), (4, 4)])):
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) == len(points)
        expected = run.predict(np.array(points, dtype=float))
        for line, (x, y), values in zip(lines, points, expected.T):
            where, numbers = line.split(":")
            assert where == f"({x:g}, {y:g})"
            np.testing.assert_allclose([float(v) for v in numbers.split()], values, rtol=0, atol=5e-7)
            assert len(numbers.split()) == 3


def test_the_scripts_docstring_describes_the_network():
    run = trained("relu regression")
    text = numpy_script(run)
    header = ast.get_docstring(ast.parse(text))
    assert "Network: 2 → 6 → 4 → 1" in header
    assert "relu hidden units, linear output" in header
    assert "after 13 epochs on the dataset 'reg-gauss'" in header


def test_a_model_keeps_the_record_of_hand_set_weights_and_checks_it():
    run = Run({"seed": "0.6", "network_shape": [3]})
    run.set_weight(0, 1, 2, 2.5)
    run.set_bias(1, 0, -1.5)
    run.step(3)
    model = as_json(model_of(run))
    assert model["edits"] == run.edits == [{"layer": 0, "from": 1, "to": 2, "value": 2.5},
                                           {"layer": 1, "node": 0, "value": -1.5}]
    back = run_from_model(copy.deepcopy(model))
    # The record only: the weights are the trained ones.
    assert back.edits == run.edits and back.weights()[0][2, 1] == run.weights()[0][2, 1] != 2.5
    assert run_from_model(changed(model, edits=[])).edits == []
    without = copy.deepcopy(model)
    del without["edits"]  # optional: a model written before edits were kept
    assert run_from_model(without).edits == []
    for bad in ({"a": 1}, [{"layer": 0, "from": 9, "to": 0, "value": 1}], [{"layer": 0, "node": 0, "value": "x"}],
                [{"layer": 5, "node": 0, "value": 1}], [{"layer": 0, "node": 0, "value": 1, "colour": 2}], ["w0"]):
        assert fields(changed(model, edits=bad)) == ["model.edits"], bad


def test_restore_refuses_an_edit_record_that_does_not_fit_and_changes_nothing():
    run = Run({"seed": "0.6", "network_shape": [3]})
    run.step(2)
    before = [w.copy() for w in run.weights()]
    with pytest.raises(ConfigError) as caught:
        run.restore([w.tolist() for w in run.weights()], [b.tolist() for b in run.biases()], 9,
                    [{"layer": 0, "from": 0, "to": 7, "value": 1.0}])
    assert [field for field, _ in caught.value.errors] == ["edits"]
    assert run.epoch == 2 and all(np.array_equal(a, b) for a, b in zip(before, run.weights()))


def test_a_restore_whose_last_layer_does_not_fit_leaves_every_layer_as_it_was():
    run = Run({"seed": "0.6", "network_shape": [3]})
    run.step(2)
    before = run.model.params.copy()
    weights = [(w + 1).tolist() for w in run.weights()]
    biases = [b.tolist() for b in run.biases()]
    weights[-1] = weights[-1][:-1] if len(weights[-1]) > 1 else [[0.0]]
    with pytest.raises(ConfigError) as caught:
        run.restore(weights, biases, 5)
    assert [field for field, _ in caught.value.errors] == ["weights"]
    assert run.epoch == 2 and np.array_equal(run.model.params, before)

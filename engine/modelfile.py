"""A trained network as a file: `model_of(run)` gives the whole of it as plain JSON-ready data
(the config, the epoch, every weight and bias, the record of hand-set weights it was trained from,
and your own points when the data is yours), and
`run_from_model` / `run_from_model_in_steps` make a Run of such a file again, refusing one that
does not fit (ConfigError naming each bad part as `model.…`).

The optimizer's memory (momentum, Adam's moments) is not part of a model: training an imported
model goes on from its weights with that memory starting afresh.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from . import config as cfg
from .datasets import Dataset
from .edits import edit_problems
from .run import Run, head_for
from .steps import Steps, finish
from .tables import spec_of
from .userdata import CUSTOM, DataError, from_lists, num_classes

FORMAT = "nn-playground-model"
VERSION = 1
KEYS = ("format", "version", "config", "epoch", "layer_sizes", "weights", "biases", "edits", "data")


def model_of(run: Run) -> dict[str, Any]:
    """The run as a model file's contents (exact: weights and biases as the doubles they are)."""
    model: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "config": dict(run.config), "epoch": run.epoch,
        "layer_sizes": list(run.layer_sizes),
        "weights": [w.tolist() for w in run.weights()], "biases": [b.tolist() for b in run.biases()],
        "edits": run.edits,
    }
    if run.config["dataset"] == CUSTOM:
        data = run.data
        model["data"] = {"train": _points(data.train_xy, data.train_labels), "test": _points(data.test_xy, data.test_labels)}
    return model


def run_from_model(model: Any, own_data: Dataset | None = None) -> Run:
    return finish(run_from_model_in_steps(model, own_data))


def run_from_model_in_steps(model: Any, own_data: Dataset | None = None) -> Steps[Run]:
    """A Run of that model, paused at its epoch. own_data: the points a `custom` model without its
    own `data` trains on (the session's current ones), refused unless their labels fit the model's
    problem. A multiclass model's num_classes must cover its points' classes. Every problem with
    the file is found before anything is made (the first step), and raised as one ConfigError."""
    if not isinstance(model, Mapping):
        raise cfg.ConfigError([("model", "must be an object, as export_model gives it")])
    problems = [(f"model.{key}", f"unknown part; a model has {', '.join(KEYS)}") for key in model if key not in KEYS]
    if model.get("format") != FORMAT:
        problems.append(("model.format", f"must be {FORMAT!r}; got {_short(model.get('format'))}"))
    version = model.get("version")
    if isinstance(version, bool) or version != VERSION:  # (True == 1 in Python, not in a file)
        problems.append(("model.version", f"must be {VERSION}; got {_short(version)}"))
    epoch = model.get("epoch")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        problems.append(("model.epoch", f"must be an integer 0 or more; got {_short(epoch)}"))
    settings = model.get("config")
    data = own_data
    data_refused = False  # the points are wrong or missing (said once, as model.data…)
    if not isinstance(settings, Mapping):
        problems.append(("model.config", "must be an object of settings"))
        settings = None
    elif settings.get("dataset") == CUSTOM:
        problem = settings.get("problem")
        if "data" in model:
            try:
                data = from_lists(_get(model["data"], "train"), _get(model["data"], "test"), problem)
            except DataError as refused:
                problems += [(f"model.{field}", message) for field, message in refused.errors]
                data, data_refused = None, True
        elif data is None:
            problems.append(("model.data", f"missing: the model's dataset is {CUSTOM}, and no points of your own are loaded"))
            data_refused = True
        elif not _fit(data, problem):
            problems.append(("model.data", f"missing, and the points loaded are not for {problem}: "
                                           f"import points for {problem}, or a model that carries its own"))
            data, data_refused = None, True
    config = None
    if settings is not None:
        try:
            train_points = len(data.train_xy) if data is not None and settings.get("dataset") == CUSTOM else None
            config = cfg.validate(settings, train_points=train_points)
        except cfg.ConfigError as refused:
            problems += [(f"model.config.{field}", message) for field, message in refused.errors
                         if not (data_refused and field == "dataset")]
    if config is not None and config["dataset"] == CUSTOM and config["problem"] == "multiclass" \
            and num_classes(data) > config["num_classes"]:
        k = num_classes(data)
        problems.append(("model.config.num_classes", f"must be at least {k}: the model's points have classes up to {k - 1}"))
        config = None  # (its network would not have an output for every class)
    weights, biases, edits = model.get("weights"), model.get("biases"), model.get("edits", [])
    if config is not None:
        problems += _parameter_problems(config, model.get("layer_sizes"), weights, biases)
    if not isinstance(edits, list):
        problems.append(("model.edits", "must be a list of set_weight / set_bias fields (the hand-set weights' record)"))
    elif config is not None and not problems:
        problems += [("model.edits", f"entry {number}: {field}: {message}")
                     for number, edit in enumerate(edits) for field, message in edit_problems(model["layer_sizes"], edit)]
    if problems:
        raise cfg.ConfigError(problems)
    yield
    run = yield from Run.in_steps(config, data if config["dataset"] == CUSTOM else None)
    run.restore(weights, biases, epoch, edits)
    return run


def _parameter_problems(config: Mapping[str, Any], sizes: Any, weights: Any, biases: Any) -> list[tuple[str, str]]:
    """Whether the weights and biases are the network's shape, in finite numbers within the limit."""
    table = spec_of(config["dataset"])  # a shipped table's columns are the inputs (a table of your own: not in a file)
    inputs = len(config["features"]) if table is None else len(config["inputs"] or table.columns)
    expected = [inputs, *config["network_shape"], head_for(config).outputs]
    problems = []
    if sizes != expected:
        problems.append(("model.layer_sizes", f"must be {expected}, the network of the model's config; got {_short(sizes)}"))
        return problems
    limit = cfg.LIMITS["parameter"]
    for name, values, shape in (("weights", weights, lambda l: (expected[l + 1], expected[l])),
                                ("biases", biases, lambda l: (expected[l + 1],))):
        if not isinstance(values, list) or len(values) != len(expected) - 1:
            problems.append((f"model.{name}", f"must be a list of {len(expected) - 1} (one per layer after the inputs)"))
            continue
        for l, value in enumerate(values):
            if not _shaped(value, shape(l), limit):
                rows = shape(l)
                what = f"{rows[0]} rows of {rows[1]} numbers" if len(rows) == 2 else f"{rows[0]} numbers"
                problems.append((f"model.{name}", f"layer {l}: must be {what}, each finite and within ±{limit:g}"))
    return problems


def _shaped(value: Any, shape: tuple[int, ...], limit: float) -> bool:
    if not isinstance(value, list) or len(value) != shape[0]:
        return False
    if len(shape) == 1:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= limit
                   for v in value)
    return all(_shaped(row, shape[1:], limit) for row in value)


def _fit(data: Dataset, problem: Any) -> bool:
    """Whether points loaded for a session fit a model's problem (their labels are its labels)."""
    try:
        from_lists(_points(data.train_xy, data.train_labels), _points(data.test_xy, data.test_labels), problem)
    except DataError:
        return False
    return True


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, Mapping) else None


def _points(xy: Any, labels: Any) -> list[list[float]]:
    return [[x, y, label] for (x, y), label in zip(xy.tolist(), labels.tolist())]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"

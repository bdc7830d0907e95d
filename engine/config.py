"""Run configuration: the one vocabulary of settings, their defaults, limits, and validation.

These names and values are used everywhere (engine, protocol, URL hash, `<option value>`), taken
from the playground where it has one. `validate` merges a partial update into a full, checked
`Config` and reports every bad field at once; `usable` makes the best config it can of settings
from elsewhere (a shared link), leaving out and reporting what it must; `change_kind` says what a
change costs a running session.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from .activations import ACTIVATION_NAMES
from .datasets import BY_PROBLEM, GATE_NETWORKS, GATE_SETTINGS, GATES, LOGIC_INPUTS, view_of
from .edits import MAX_VALUE
from .features import FEATURE_LABELS, FEATURE_NAMES
from .tables import DEFAULTS as TABLE_DEFAULTS
from .tables import OWN_TABLE, REAL, TITLES, Table, is_table
from .tables import spec_of as table_of  # what checking needs, without reading a shipped table
from .userdata import CUSTOM
from .userdata import limits as user_data_limits

PROBLEMS = ("classification", "regression", "multiclass")
# The plane's generated datasets, then the real tables of that problem (engine/tables.py).
DATASETS = {problem: (*generators, *(name for name in REAL if TABLE_DEFAULTS[name]["problem"] == problem))
            for problem, generators in BY_PROBLEM.items()}
LOSSES = {"classification": ("half_square", "cross_entropy"), "regression": ("half_square",),
          "multiclass": ("cross_entropy", "half_square")}
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "L1", "L2")
BATCHINGS = ("playground", "standard")
INITS = ("random", "zeros", "glorot")

# The playground's menus; the engine accepts any value in LIMITS, the page offers these.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MOMENTA = (0, 0.5, 0.8, 0.9, 0.95, 0.99)
POINT_COUNTS = (50, 100, 200, 300, 500, 1000, 1500, 2000)  # after "the problem's default"
# What the page's own controls reach: the original's 0..6 hidden layers of 1..8 neurons and its
# batch-size slider of 1..30 (a link may carry more, up to LIMITS).
MENU_LIMITS = {"hidden_layers": 6, "neurons_per_layer": 8, "batch_size": 30}

LIMITS: dict[str, Any] = {
    "num_points": (50, 2000),
    "noise": (0, 80),
    "train_ratio": (10, 90),
    "batch_size": (1, 2000),
    "learning_rate": (0.0, 10.0),  # exclusive of 0
    "regularization_rate": (0.0, 10.0),
    "momentum": (0.0, 0.999),
    "num_classes": (3, 6),
    "hidden_layers": 8,
    "neurons_per_layer": 32,
    "seed_length": 32,
    "stop_epoch": (1, 10_000_000),
    "stop_test_loss": (0.0, 100.0),  # exclusive of 0
    "parameter": MAX_VALUE,  # a hand-set weight or bias lies within ±this
}

DEFAULT_POINTS = {"classification": 500, "regression": 1200, "multiclass": 500}

DEFAULTS: dict[str, Any] = {
    "problem": "classification",
    "dataset": "circle",
    "num_classes": 3,
    "num_points": None,  # None: the problem's default (500, or 1200 for regression)
    "noise": 0,
    "train_ratio": 50,
    "features": ["x", "y"],
    "network_shape": [4, 2],
    "activation": "tanh",
    "loss": "half_square",
    "optimizer": "sgd",
    "momentum": 0.9,
    "learning_rate": 0.03,
    "regularization": "none",
    "regularization_rate": 0,
    "batch_size": 10,
    "batching": "playground",
    "init": "random",
    "seed": "0.12345",
    "gate": "xor",  # the logic gate that labels the "logic" dataset's four points
    "stop_epoch": None,  # pause when the epoch reaches this (None: never)
    "stop_test_loss": None,  # pause when the test loss falls to this (None: never)
    "inputs": None,  # a table's input columns (None: all of them); the plane's inputs are `features`
}

# What a change costs: "live" applies to the running network; "reset" builds a new network on the
# same data; "data" makes new data and a new network (docs/reference.md §2).
LIVE_FIELDS = frozenset({"learning_rate", "stop_epoch", "stop_test_loss"})
DATA_FIELDS = frozenset({"problem", "dataset", "num_classes", "num_points", "noise", "train_ratio", "seed", "gate"})
# What does not apply to a table (its rows and split are its own): a change is kept in the config
# and leaves the table and the network be (the seed still draws the starting weights).
TABLE_NOT_APPLIED = ("noise", "num_points", "train_ratio", "gate", "features", "num_classes")


class ConfigError(ValueError):
    """Invalid settings; `errors` holds one (field, message) pair per problem."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))


class Config(dict):
    """A complete config that `validate` has checked. Merged into any base it stays itself, so
    `validate` returns it as it is (a checked config is never checked twice)."""


def validate(update: Mapping[str, Any] | None = None, base: Mapping[str, Any] | None = None,
             train_points: int | None = None, table: Table | None = None) -> Config:
    """Merge `update` into `base` (default DEFAULTS) and check the result; raise ConfigError.

    When the problem changes, a dataset and loss the update does not name become the new
    problem's first; when fewer training points would leave the batch larger than the training
    set, a batch size the update does not name is lowered to fit. train_points: how many training
    points the run's own data (the `custom` dataset, engine/userdata.py) has, None without any:
    only a run that holds such points may have the dataset `custom`. table: the run's own table
    (engine/tables.py: from_arrays, an uploaded CSV), None without one: only a run that holds one
    may have the dataset `table`. A real table (`mnist`, `house-prices`) brings its problem, its
    classes and its own defaults for the fields the update does not name; leaving it for the plane
    puts back the playground's defaults of those fields.
    """
    if isinstance(update, Config):
        return update
    base = dict(DEFAULTS if base is None else base)
    update = dict(update or {})
    errors: list[tuple[str, str]] = []
    for key in sorted(set(update) - set(DEFAULTS)):
        errors.append((key, f"unknown field; known fields: {', '.join(DEFAULTS)}"))
        del update[key]
    config = {**base, **update}
    _follow_problem(config, base, update)
    _follow_table(config, base, update, table)
    config["_table"] = table_of(config["dataset"], table) if isinstance(config["dataset"], str) else None
    for field, check in _CHECKS.items():
        try:
            config[field] = check(config[field], config)
        except _Bad as bad:
            errors.append((field, str(bad)))
    if config["dataset"] == CUSTOM and train_points is None:
        errors.append(("dataset", f"{CUSTOM} is your own points, and none are loaded: send them with import_data"))
    if config["dataset"] == OWN_TABLE and table is None:
        errors.append(("dataset", f"{OWN_TABLE} is a table of your own, and none is loaded: send it with import_data (format table)"))
    own = config.pop("_table")
    if not errors:
        errors += _fit_batch(config, "batch_size" in update, train_points, own)
    if errors:
        raise ConfigError(errors)
    return Config(config)


def usable(update: Mapping[str, Any]) -> tuple[Config, list[tuple[str, str]]]:
    """The config a new run gets from `update` over the defaults, leaving out every field the
    engine refuses (those keep their defaults, or follow the problem); and what was left out."""
    update = dict(update)
    left_out: list[tuple[str, str]] = []
    while True:
        try:
            return validate(update), left_out
        except ConfigError as refused:
            named = [(field, message) for field, message in refused.errors if field in update]
            if not named:  # cannot happen: the defaults are valid and follow the problem
                raise
            left_out += named
            for field, _ in named:
                del update[field]


def change_kind(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """"none", "live", "reset" or "data": the most a change from old to new requires."""
    changed = {key for key in new if old.get(key) != new[key]}
    if changed & DATA_FIELDS:
        return "data"
    if changed - LIVE_FIELDS:
        return "reset"
    return "live" if changed else "none"


def num_points(config: Mapping[str, Any]) -> int:
    if config["dataset"] == "logic":
        return len(LOGIC_INPUTS)
    return config["num_points"] or DEFAULT_POINTS[config["problem"]]


def num_train(config: Mapping[str, Any], train_points: int | None = None, table: Table | None = None) -> int:
    """How many training points the config's data has (train_points: your own data's; table: the
    run's own table)."""
    rows = table_of(config["dataset"], table)
    if rows is not None:
        return rows.train_rows
    if config["dataset"] == CUSTOM:
        return train_points or 0
    if config["dataset"] == "logic":  # all four are training (and test) points
        return len(LOGIC_INPUTS)
    return math.floor(num_points(config) * config["train_ratio"] / 100)


def options() -> dict[str, Any]:
    """Every option's allowed values and the limits, for clients to build their controls from."""
    return {
        "problem": list(PROBLEMS), "dataset": {p: list(d) for p, d in DATASETS.items()},
        "activation": list(ACTIVATION_NAMES), "loss": {p: list(l) for p, l in LOSSES.items()},
        "optimizer": list(OPTIMIZERS), "regularization": list(REGULARIZATIONS),
        "batching": list(BATCHINGS), "init": list(INITS), "features": list(FEATURE_NAMES),
        "gate": list(GATES),
        # The course's network of each gate: the settings and hand edits that load it.
        "gate_networks": {gate: {"config": {**GATE_SETTINGS, "gate": gate, "network_shape": list(net["network_shape"])},
                                 "edits": [dict(edit) for edit in net["edits"]]}
                          for gate, net in GATE_NETWORKS.items()},
        # The square (low, high) of the plane each dataset is shown on, both axes: maps and points.
        "views": {name: list(view_of(name)) for names in [*DATASETS.values(), [CUSTOM]] for name in names
                  if not is_table(name)},
        # The real tables (engine/tables.py): what each is and the settings it brings; a table's
        # columns, classes and sample rows come in the `data` message.
        "tables": {name: {"title": TITLES[name], "problem": TABLE_DEFAULTS[name]["problem"],
                          "defaults": dict(TABLE_DEFAULTS[name])} for name in REAL},
        # Your own points (import_data): how many, which labels, where (engine/userdata.py).
        "user_data": user_data_limits(),
        "feature_labels": dict(FEATURE_LABELS),
        "learning_rate": list(LEARNING_RATES), "regularization_rate": list(REGULARIZATION_RATES),
        "momentum": list(MOMENTA), "num_points": list(POINT_COUNTS), "menu_limits": dict(MENU_LIMITS),
        "default_points": dict(DEFAULT_POINTS), "defaults": dict(DEFAULTS),
        "limits": {k: list(v) if isinstance(v, tuple) else v for k, v in LIMITS.items()},
    }


# -- checks -------------------------------------------------------------------------------------

class _Bad(Exception):
    pass


def _follow_table(config: dict, base: Mapping, update: Mapping, own: Table | None) -> None:
    """A dataset that is a table brings its problem and classes, and a real one its settings, for
    the fields the update does not name; one that leaves a table for the plane puts the
    playground's defaults of those fields back, and `inputs` (a table's columns) goes back to all."""
    new, old = config.get("dataset"), base.get("dataset")
    if not isinstance(new, str) or new == old:
        return
    table = table_of(new, own)
    if table is not None:
        brought = {**TABLE_DEFAULTS.get(new, {}), "problem": table.problem,
                   "num_classes": table.num_classes or DEFAULTS["num_classes"]}
        for key, value in brought.items():
            if key not in update:
                config[key] = list(value) if isinstance(value, list) else value
        if "loss" not in update and config["loss"] not in LOSSES.get(config["problem"], ()):
            config["loss"] = LOSSES[config["problem"]][0]
    elif isinstance(old, str) and is_table(old):
        for key in ({*TABLE_DEFAULTS.get(old, {}), "num_classes"} - {"problem"}) - set(update):
            config[key] = list(DEFAULTS[key]) if isinstance(DEFAULTS[key], list) else DEFAULTS[key]
        if "loss" not in update and config.get("problem") in LOSSES:
            config["loss"] = LOSSES[config["problem"]][0]
    if "inputs" not in update:
        config["inputs"] = None


def _follow_problem(config: dict, base: Mapping, update: Mapping) -> None:
    """When the problem changes, the dataset and loss the update left alone switch to the new
    problem's first choice (as the playground's separate dataset and regDataset menus do)."""
    problem = config.get("problem")
    if not isinstance(problem, str) or problem not in PROBLEMS or problem == base.get("problem"):
        return
    if "dataset" not in update:
        config["dataset"] = DATASETS[problem][0]
    if "loss" not in update:
        config["loss"] = LOSSES[problem][0]


def _choice(allowed) -> Any:
    def check(value, config):
        options = allowed(config) if callable(allowed) else allowed
        if options is None:  # depends on a field that is itself invalid (reported there)
            return value
        if not isinstance(value, str) or value not in options:
            raise _Bad(f"must be one of {', '.join(options)}; got {value!r}")
        return value
    return check


def _for_problem(table: dict[str, tuple[str, ...]]) -> Any:
    """The choices a field has under the config's problem, None if the problem is invalid."""
    return lambda config: table.get(config["problem"]) if isinstance(config["problem"], str) else None


def _number(low: float, high: float, integer: bool = False, low_open: bool = False) -> Any:
    def check(value, config):
        kind = "an integer" if integer else "a number"
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type or not math.isfinite(value):
            raise _Bad(f"must be {kind} in {_range(low, high, low_open)}; got {value!r}")
        if value < low or value > high or (low_open and value <= low):
            raise _Bad(f"must be {kind} in {_range(low, high, low_open)}; got {value!r}")
        return value
    return check


def _range(low, high, low_open) -> str:
    return f"({low}, {high}]" if low_open else f"{low}..{high}"


def _num_points(value, config):
    return None if value is None else _number(*LIMITS["num_points"], integer=True)(value, config)


def _optional(check) -> Any:
    """None (the condition is off), or what `check` accepts."""
    def optional(value, config):
        if value is None:
            return None
        try:
            return check(value, config)
        except _Bad as bad:
            raise _Bad(f"{bad} (or null: never)") from None
    return optional


def _regularization(value, config):
    return _choice(REGULARIZATIONS)("none" if value is None else value, config)


def _num_classes(value, config):
    """3..6 for the plane's multiclass sets; a table's own number of classes for a table."""
    table = config["_table"]
    if table is not None and table.num_classes is not None and config["problem"] == "multiclass":
        if value != table.num_classes:
            raise _Bad(f"must be {table.num_classes}, the classes of {config['dataset']}; got {value!r}")
        return value
    return _number(*LIMITS["num_classes"], integer=True)(value, config)


def _inputs(value, config):
    """null (every column), or a non-empty list of the table's columns (kept in the table's order)."""
    table = config["_table"]
    if value is None:
        return None
    if table is None:
        raise _Bad(f"must be null unless the dataset is a table (the plane's inputs are `features`); got {value!r}")
    names = table.columns
    shown = ", ".join(names) if len(names) <= 20 else f"{names[0]} … {names[-1]} ({len(names)} columns)"
    allowed = frozenset(names)
    if not isinstance(value, (list, tuple)) or not value or any(not isinstance(v, str) or v not in allowed for v in value):
        raise _Bad(f"must be null (every column) or a non-empty list drawn from {shown}; got {_short(value)}")
    chosen = set(value)
    return [name for name in names if name in chosen]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _features(value, config):
    if not isinstance(value, (list, tuple)) or not value or any(v not in FEATURE_NAMES for v in value):
        raise _Bad(f"must be a non-empty list drawn from {', '.join(FEATURE_NAMES)}; got {value!r}")
    chosen = set(value)
    return [name for name in FEATURE_NAMES if name in chosen]


def _network_shape(value, config):
    layers, width = LIMITS["hidden_layers"], LIMITS["neurons_per_layer"]
    message = f"must be a list of 0..{layers} layer sizes, each an integer 1..{width}; got {value!r}"
    if not isinstance(value, (list, tuple)) or len(value) > layers:
        raise _Bad(message)
    if any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= width for n in value):
        raise _Bad(message)
    return list(value)


def _seed(value, config):
    """Any text of 1..seed_length characters, as the original's seedrandom takes any string, except
    one with a lone surrogate ("\\udfff" in JSON): that is no Unicode text, cannot be written in a
    URL (the page's link) or as UTF-8 (the standard batching's shuffle is seeded from its bytes),
    and the original never sees one (its seeds are the URL hash's text, or Math.random's)."""
    wanted = f"must be a string of 1..{LIMITS['seed_length']} characters"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Bad(f"{wanted}; got {value!r}")
    text = str(value)
    if not 1 <= len(text) <= LIMITS["seed_length"]:
        raise _Bad(f"{wanted}; got {value!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad(f"{wanted} of Unicode text, without lone surrogates such as \\udfff; got {value!r}") from None
    return text


_CHECKS = {
    "problem": _choice(PROBLEMS),
    "dataset": _choice(_for_problem({p: (*d, CUSTOM, OWN_TABLE) for p, d in DATASETS.items()})),
    "num_classes": _num_classes,
    "num_points": _num_points,
    "noise": _number(*LIMITS["noise"]),
    "train_ratio": _number(*LIMITS["train_ratio"]),
    "features": _features,
    "network_shape": _network_shape,
    "activation": _choice(ACTIVATION_NAMES),
    "loss": _choice(_for_problem(LOSSES)),
    "optimizer": _choice(OPTIMIZERS),
    "momentum": _number(*LIMITS["momentum"]),
    "learning_rate": _number(*LIMITS["learning_rate"], low_open=True),
    "regularization": _regularization,
    "regularization_rate": _number(*LIMITS["regularization_rate"]),
    "batch_size": _number(*LIMITS["batch_size"], integer=True),
    "batching": _choice(BATCHINGS),
    "init": _choice(INITS),
    "seed": _seed,
    "gate": _choice(tuple(GATES)),
    "stop_epoch": _optional(_number(*LIMITS["stop_epoch"], integer=True)),
    "stop_test_loss": _optional(_number(*LIMITS["stop_test_loss"], low_open=True)),
    "inputs": _inputs,
}


def _fit_batch(config: dict, named: bool, train_points: int | None, table: Table | None) -> list[tuple[str, str]]:
    """A batch larger than the training set: refused when the update names it, else lowered."""
    train = num_train(config, train_points, table)
    if config["batch_size"] <= train:
        return []
    if not named:
        config["batch_size"] = max(1, train)
        return []
    return [("batch_size", f"must be at most the number of training points ({train}); "
                           f"got {config['batch_size']}")]

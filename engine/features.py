"""Input features: the playground's seven input nodes, computed from a point (x, y).

Keys and order are the original's (x = x1, y = x2, ...); a network always uses its selected
features in this canonical order, whatever order the user picked them in.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "xSquared": lambda x, y: x * x,
    "ySquared": lambda x, y: y * y,
    "xTimesY": lambda x, y: x * y,
    "sinX": lambda x, y: np.sin(x),
    "sinY": lambda x, y: np.sin(y),
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)

# How the page labels them (the playground shows X1, X2, X1², ...).
FEATURE_LABELS: dict[str, str] = {
    "x": "X₁", "y": "X₂", "xSquared": "X₁²", "ySquared": "X₂²",
    "xTimesY": "X₁X₂", "sinX": "sin(X₁)", "sinY": "sin(X₂)",
}


def canonical(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The selected feature names in the playground's order, without duplicates."""
    chosen = set(names)
    return tuple(name for name in FEATURE_NAMES if name in chosen)


def design_matrix(xy: np.ndarray, names: tuple[str, ...], dtype=np.float64) -> np.ndarray:
    """Inputs with a leading row of ones for the bias, one column per point.

    xy: (n, 2) points. Returns (1 + len(names), n), C-contiguous.
    """
    x, y = xy[:, 0], xy[:, 1]
    out = np.empty((1 + len(names), len(xy)), dtype=dtype)
    out[0] = 1.0
    for row, name in enumerate(names, start=1):
        out[row] = FEATURES[name](x, y)
    return out

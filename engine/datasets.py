"""Datasets: the playground's six generators, multi-class sets, the course's logic gates, and the
shuffled train/test split.

The playground generators follow dataset.ts step for step and draw from the same random stream
(`SeedRandom`), so a seed gives the original's very points. Labels are in the problem's own domain:
±1 for classification, real values for regression, class indices 0..K-1 for multi-class sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .seedrandom import SeedRandom
from .steps import Steps, finish

STEP_POINTS = 400  # generate_in_steps pauses after this many points (about 4 ms)

Point = tuple[float, float, float]  # (x, y, label)
Points = list[Point]  # in generation order


def circle(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Half the points inside radius 2.5, half in the ring 3.5..5; noise only moves the label test."""
    radius = 5.0
    for r_low, r_high in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        for _ in range(_half(n)):
            r = rng.uniform(r_low, r_high)
            angle = rng.uniform(0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx = rng.uniform(-radius, radius) * noise
            ny = rng.uniform(-radius, radius) * noise
            label = 1.0 if math.hypot(x + nx, y + ny) < radius * 0.5 else -1.0
            yield (x, y, label)


def xor(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Uniform points pushed 0.3 off the axes, labelled by the sign of x·y (with noise)."""
    for _ in range(n):
        x = rng.uniform(-5, 5)
        x += 0.3 if x > 0 else -0.3
        y = rng.uniform(-5, 5)
        y += 0.3 if y > 0 else -0.3
        nx = rng.uniform(-5, 5) * noise
        ny = rng.uniform(-5, 5) * noise
        yield (x, y, 1.0 if (x + nx) * (y + ny) >= 0 else -1.0)


def gauss(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Two normal clusters at (2, 2) (+1) and (−2, −2) (−1); noise widens them."""
    variance = _gauss_variance(noise)
    for cx, cy, label in ((2.0, 2.0, 1.0), (-2.0, -2.0, -1.0)):
        for _ in range(_half(n)):
            x = rng.normal(cx, variance)
            y = rng.normal(cy, variance)
            yield (x, y, label)


def spiral(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Two interleaved spiral arms; noise jitters the points."""
    # The original loops `i < n / 2` and divides by n / 2, a fraction when n is odd.
    yield from _spiral_arms(rng, [(_half(n), n / 2)] * 2, [0.0, math.pi], [1.0, -1.0], noise)


def reg_plane(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Label (x + y)/10 of the noisy point; the points themselves stay uniform on [−6, 6]²."""
    for _ in range(n):
        x, y = rng.uniform(-6, 6), rng.uniform(-6, 6)
        nx, ny = rng.uniform(-6, 6) * noise, rng.uniform(-6, 6) * noise
        yield (x, y, (x + nx + y + ny) / 10.0)


_REG_GAUSS_CENTRES = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def reg_gauss(rng: SeedRandom, n: int, noise: float) -> Iterator[Point]:
    """Six signed bumps; the label is the bump value of largest magnitude at the noisy point."""
    for _ in range(n):
        x, y = rng.uniform(-6, 6), rng.uniform(-6, 6)
        nx, ny = rng.uniform(-6, 6) * noise, rng.uniform(-6, 6) * noise
        label = 0.0
        for cx, cy, sign in _REG_GAUSS_CENTRES:
            value = sign * min(1.0, max(0.0, 1.0 - math.hypot(x + nx - cx, y + ny - cy) / 2.0))
            if abs(value) > abs(label):
                label = value
        yield (x, y, label)


def multi_spiral(rng: SeedRandom, n: int, noise: float, k: int) -> Iterator[Point]:
    """K interleaved spiral arms, the playground's spiral generalized; label = arm index."""
    deltas = [2 * math.pi * c / k for c in range(k)]
    # One turn per arm instead of the binary spiral's 1.75 keeps K arms learnable by small nets.
    arms = [(count, count) for count in _split(n, k)]
    yield from _spiral_arms(rng, arms, deltas, [float(c) for c in range(k)], noise, turns=1.0)


def multi_gauss(rng: SeedRandom, n: int, noise: float, k: int) -> Iterator[Point]:
    """K normal clusters evenly spaced on a circle of radius 3.5; noise widens them as in gauss."""
    variance = _gauss_variance(noise) * 0.5
    for c, count in enumerate(_split(n, k)):
        angle = 2 * math.pi * c / k + math.pi / 2
        cx, cy = 3.5 * math.cos(angle), 3.5 * math.sin(angle)
        for _ in range(count):
            yield (rng.normal(cx, variance), rng.normal(cy, variance), float(c))


def multi_pie(rng: SeedRandom, n: int, noise: float, k: int) -> Iterator[Point]:
    """Uniform points labelled by which of K angular sectors holds the noisy point (xor's cousin)."""
    for _ in range(n):
        x, y = rng.uniform(-5, 5), rng.uniform(-5, 5)
        nx, ny = rng.uniform(-5, 5) * noise, rng.uniform(-5, 5) * noise
        angle = math.atan2(y + ny, x + nx) % (2 * math.pi)
        yield (x, y, float(min(k - 1, int(angle / (2 * math.pi / k)))))


def multi_rings(rng: SeedRandom, n: int, noise: float, k: int) -> Iterator[Point]:
    """K concentric rings of equal width out to radius 5.5; noise moves the points radially."""
    width = 5.5 / k
    for c, count in enumerate(_split(n, k)):
        for _ in range(count):
            r = rng.uniform(c * width + 0.1 * width, (c + 1) * width - 0.1 * width)
            r += rng.uniform(-1, 1) * noise * width
            angle = rng.uniform(0, 2 * math.pi)
            yield (r * math.sin(angle), r * math.cos(angle), float(c))


# Logic gates on the course's inputs x1, x2 ∈ {0, 1} (the `gate` setting; true is +1).
GATES: dict[str, Callable[[int, int], bool]] = {
    "or": lambda a, b: bool(a or b), "and": lambda a, b: bool(a and b), "nand": lambda a, b: not (a and b),
    "xor": lambda a, b: a != b, "x1-and-not-x2": lambda a, b: bool(a and not b),
    "not-x1-and-x2": lambda a, b: bool(b and not a), "not-x1": lambda a, b: not a,
}
LOGIC_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _unit(layer: int, node: int, bias: float, w1: float, w2: float) -> list[dict]:
    """The hand edits that make one sigmoid unit g(bias + w1·a1 + w2·a2)."""
    return [{"layer": layer, "node": node, "value": bias},
            {"layer": layer, "from": 0, "to": node, "value": w1},
            {"layer": layer, "from": 1, "to": node, "value": w2}]


# The course's network for each gate (docs/reference.md §6): sigmoid units with weights of ±20,
# whose biases put the boundary between the points, so each output is within 5e-5 of its truth
# value: OR = g(−10 + 20x1 + 20x2), AND = g(−30 + 20x1 + 20x2), NOT x1 = g(10 − 20x1), the two
# AND-NOT units, and XOR as the OR of those two. Each is the settings and the hand edits that load
# it ({"network_shape", "edits"}, the edits as `set_bias` / `set_weight` fields).
GATE_NETWORKS: dict[str, dict] = {
    "or": {"network_shape": [], "edits": _unit(0, 0, -10, 20, 20)},
    "and": {"network_shape": [], "edits": _unit(0, 0, -30, 20, 20)},
    "nand": {"network_shape": [], "edits": _unit(0, 0, 30, -20, -20)},
    "x1-and-not-x2": {"network_shape": [], "edits": _unit(0, 0, -10, 20, -20)},
    "not-x1-and-x2": {"network_shape": [], "edits": _unit(0, 0, -10, -20, 20)},
    "not-x1": {"network_shape": [], "edits": _unit(0, 0, 10, -20, 0)},
    "xor": {"network_shape": [2], "edits": _unit(0, 0, -10, 20, -20) + _unit(0, 1, -10, -20, 20)
            + _unit(1, 0, -10, 20, 20)},
}
# What every gate network runs with: the inputs x1, x2 as the features x and y, sigmoid units and
# a sigmoid output (cross-entropy's), weights starting at zero but for the edits.
GATE_SETTINGS = {"problem": "classification", "dataset": "logic", "features": ["x", "y"], "activation": "sigmoid",
                 "loss": "cross_entropy", "init": "zeros"}

# The square the page shows and the maps cover, (low, high) on both axes: the playground's
# [−6, 6]², except where a dataset's points need another. The logic gates' four points at 0 and 1
# would be specks on [−6, 6]²; half a unit around them shows where the boundary passes between.
PLANE = (-6.0, 6.0)
VIEWS: dict[str, tuple[float, float]] = {"logic": (-0.5, 1.5)}


def view_of(name: str) -> tuple[float, float]:
    """The view (low, high) of a dataset's plane: both axes run from low to high."""
    return VIEWS.get(name, PLANE)


def logic(rng: SeedRandom, n: int, noise: float, gate: str = "xor") -> Iterator[Point]:
    """The four inputs (0, 0), (0, 1), (1, 0), (1, 1), labelled by the gate: the course's truth
    tables. The number of points, the noise and the seed do not apply."""
    for a, b in LOGIC_INPUTS:
        yield (float(a), float(b), 1.0 if GATES[gate](a, b) else -1.0)


BINARY: dict[str, Callable[..., Iterator[Point]]] = {
    "circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "logic": logic,
}
REGRESSION: dict[str, Callable[[SeedRandom, int, float], Iterator[Point]]] = {
    "reg-plane": reg_plane, "reg-gauss": reg_gauss,
}
MULTICLASS: dict[str, Callable[[SeedRandom, int, float, int], Iterator[Point]]] = {
    "multi-spiral": multi_spiral, "multi-gauss": multi_gauss,
    "multi-pie": multi_pie, "multi-rings": multi_rings,
}
BY_PROBLEM = {"classification": BINARY, "regression": REGRESSION, "multiclass": MULTICLASS}


@dataclass(frozen=True)
class Dataset:
    """Training and test points, shuffled once and split as the playground does.

    train_xy: (n_train, 2), train_labels: (n_train,), and the same for test.
    """

    train_xy: np.ndarray
    train_labels: np.ndarray
    test_xy: np.ndarray
    test_labels: np.ndarray


def generate(rng: SeedRandom, problem: str, name: str, n: int, noise_percent: float,
             train_percent: float, num_classes: int = 2, gate: str = "xor") -> Dataset:
    """Make the points, shuffle them (Fisher-Yates from the same stream) and split off the training set."""
    return finish(generate_in_steps(rng, problem, name, n, noise_percent, train_percent, num_classes, gate))


def generate_in_steps(rng: SeedRandom, problem: str, name: str, n: int, noise_percent: float,
                      train_percent: float, num_classes: int = 2, gate: str = "xor") -> Steps[Dataset]:
    """generate(), pausing (yielding) after every STEP_POINTS points made or shuffled: 2,000 points
    take about 20 ms of pure-Python random numbers (the original's stream). A logic gate's four
    points are both the training and the test set, in truth-table order."""
    noise = noise_percent / 100.0
    if name == "logic":
        table = np.array(list(logic(rng, n, noise, gate)), dtype=np.float64)
        return Dataset(table[:, :2].copy(), table[:, 2].copy(), table[:, :2].copy(), table[:, 2].copy())
    if problem == "multiclass":
        made = MULTICLASS[name](rng, n, noise, num_classes)
    else:
        made = BY_PROBLEM[problem][name](rng, n, noise)
    points: Points = []
    for point in made:
        points.append(point)
        if len(points) % STEP_POINTS == 0:
            yield
    yield from shuffle_in_steps(rng, points)
    split = math.floor(len(points) * train_percent / 100)
    array = np.array(points, dtype=np.float64).reshape(-1, 3)
    return Dataset(array[:split, :2].copy(), array[:split, 2].copy(),
                   array[split:, :2].copy(), array[split:, 2].copy())


def sample(problem: str, name: str, count: int = 200, num_classes: int = 3) -> np.ndarray:
    """A small noiseless sample of a dataset, the same every time (for a picture of it): (count, 3)
    rows of x, y, label."""
    data = generate(SeedRandom("sample"), problem, name, count, 0, 100, num_classes)
    return np.column_stack([data.train_xy, data.train_labels])


def shuffle(rng: SeedRandom, items: list) -> None:
    """In-place Fisher-Yates exactly as dataset.ts shuffle()."""
    finish(shuffle_in_steps(rng, items))


def shuffle_in_steps(rng: SeedRandom, items: list) -> Steps[None]:
    """shuffle(), pausing after every STEP_POINTS swaps."""
    counter = len(items)
    while counter > 0:
        index = math.floor(rng.random() * counter)
        counter -= 1
        items[counter], items[index] = items[index], items[counter]
        if counter % STEP_POINTS == 0:
            yield


def _half(n: int) -> int:
    """How many times `for (i = 0; i < n / 2; i++)` runs in the original (ceil for odd n)."""
    return math.ceil(n / 2)


def _split(n: int, k: int) -> list[int]:
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _gauss_variance(noise: float) -> float:
    """d3.scale.linear().domain([0, .5]).range([0.5, 4]) of the original (not clamped)."""
    return 0.5 + noise / 0.5 * 3.5


def _spiral_arms(rng: SeedRandom, arms: list[tuple[int, float]], deltas: list[float],
                 labels: list[float], noise: float, turns: float = 1.75) -> Iterator[Point]:
    """Each arm is (points, length): point i sits at r = 5·i/length, t = turns·2π·i/length + delta."""
    for (count, length), delta, label in zip(arms, deltas, labels):
        for i in range(count):
            r = i / length * 5
            t = turns * i / length * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1, 1) * noise
            y = r * math.cos(t) + rng.uniform(-1, 1) * noise
            yield (x, y, label)

"""A trained network as a short, self-contained Python file that needs only NumPy: its weights and
biases written out, the input features, the activation and the output, and `predict(points)`.
Run as a program it prints the network's output at a few points of the plane (or at the points
given on the command line as x,y pairs). `numpy_script(run)` writes it.
"""

from __future__ import annotations

from .run import Run

FEATURE_CODE = {
    "x": "x", "y": "y", "xSquared": "x * x", "ySquared": "y * y", "xTimesY": "x * y",
    "sinX": "np.sin(x)", "sinY": "np.sin(y)",
}
ACTIVATION_CODE = {
    "relu": "np.maximum(z, 0.0)",
    "tanh": "np.tanh(z)",
    "sigmoid": "0.5 + 0.5 * np.tanh(0.5 * z)  # 1 / (1 + e^-z), without overflow",
    "linear": "z",
    "leaky_relu": "np.maximum(z, 0.01 * z)",
    "elu": "np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))",
    "swish": "z * (0.5 + 0.5 * np.tanh(0.5 * z))  # z · sigmoid(z)",
    "sin": "np.sin(z)",
}
OUTPUT_CODE = {
    "tanh": ("np.tanh(z)", "between −1 (orange) and +1 (blue)"),
    "linear": ("z", "the predicted value"),
    "sigmoid": ("0.5 + 0.5 * np.tanh(0.5 * z)", "the probability of the blue class (label +1)"),
    "softmax": ("np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)",
                "the probability of each class, one row per class"),
}


def numpy_script(run: Run) -> str:
    """The run's network as a Python program (text)."""
    if run.table is not None:
        return _table_script(run)
    c = run.config
    head = run.head
    weights = ",\n    ".join(_matrix(w.tolist()) for w in run.weights())
    biases = ",\n    ".join(_vector(b.tolist()) for b in run.biases())
    features = "\n".join(f"        {FEATURE_CODE[name]},  # {name}" for name in c["features"])
    output, meaning = OUTPUT_CODE[head]
    shape = " → ".join(str(s) for s in run.layer_sizes)
    return f'''"""A neural network trained in the Neural Network Playground, rebuilt with NumPy alone.

Network: {shape} (inputs → hidden layers → outputs), {c["activation"]} hidden units, {head} output
({c["problem"]}, {c["loss"]} loss), after {run.epoch} epochs on the dataset {c["dataset"]!r} (seed {c["seed"]!r}).
The output is {meaning}.

    python playground_model.py             the output at a few points of the plane
    python playground_model.py 1,2 -3,0.5  the output at the points (1, 2) and (−3, 0.5)

or import it and call predict(points) with an (n, 2) array of points (x, y).
"""

import sys

import numpy as np

# W[l][j][i]: the weight from node i of layer l to node j of layer l + 1; B[l][j]: node j's bias.
W = [
    {weights},
]
B = [
    {biases},
]


def features(points):
    """The network's inputs: one row per feature, one column per point."""
    x, y = points[:, 0], points[:, 1]
    return np.array([
{features}
    ])


def activation(z):
    return {ACTIVATION_CODE[c["activation"]]}


def output(z):
    return {output}


def predict(points):
    """The network's output at points (n, 2): an array (outputs, n)."""
    a = features(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    for l in range(len(W)):
        z = np.array(W[l]) @ a + np.array(B[l])[:, None]
        a = activation(z) if l < len(W) - 1 else output(z)
    return a


if __name__ == "__main__":
    given = [tuple(float(v) for v in arg.split(",")) for arg in sys.argv[1:]]
    points = np.array(given or [(-4.0, -4.0), (-4.0, 4.0), (0.0, 0.0), (4.0, -4.0), (4.0, 4.0)])
    for point, value in zip(points, predict(points).T):
        print(f"({{point[0]:g}}, {{point[1]:g}}):", " ".join(f"{{v:.6f}}" for v in value))
'''


def _table_script(run: Run) -> str:
    """A table's network: its columns standardized as in training, then the layers; a regression's
    output back in the target's units."""
    c, table, head = run.config, run.table, run.head
    index = table.column_index(c["inputs"])
    columns = [table.columns[i] for i in index]
    weights = ",\n    ".join(_matrix(w.tolist()) for w in run.weights())
    biases = ",\n    ".join(_vector(b.tolist()) for b in run.biases())
    output, meaning = OUTPUT_CODE[head]
    if table.problem == "regression":
        output = f"z * {table.target_scale!r} + {table.target_mean!r}"
        meaning = f"the predicted {table.target}" + (f" in {table.units}" if table.units else "")
    shape = " → ".join(str(s) for s in run.layer_sizes)
    named = ", ".join(columns) if len(columns) <= 20 else f"{columns[0]} … {columns[-1]}"
    first = table.test_x if len(table.test_x) else table.train_x
    example = [round(float(v), 6) for v in first[0, index]]
    return f'''"""A neural network trained in the Neural Network Playground, rebuilt with NumPy alone.

Network: {shape} (inputs → hidden layers → outputs), {c["activation"]} hidden units, {head} output
({c["problem"]}, {c["loss"]} loss), after {run.epoch} epochs on the table {c["dataset"]!r}.
Its inputs are {len(columns)} columns, in this order: {named}.
The output is {meaning}.

    python playground_model.py     the output for the table's first test row

or import it and call predict(rows) with an (n, {len(columns)}) array of rows, in the table's own units.
"""

import numpy as np

COLUMNS = {columns!r}
# Each column is standardized as in training: (value − MEAN) / SCALE, the training rows' statistics.
MEAN = np.array({_vector(table.mean[index].tolist())})
SCALE = np.array({_vector(table.scale[index].tolist())})
# W[l][j][i]: the weight from node i of layer l to node j of layer l + 1; B[l][j]: node j's bias.
W = [
    {weights},
]
B = [
    {biases},
]


def activation(z):
    return {ACTIVATION_CODE[c["activation"]]}


def output(z):
    return {output}


def predict(rows):
    """The network's output for rows (n, {len(columns)}): an array (outputs, n)."""
    a = ((np.asarray(rows, dtype=np.float64).reshape(-1, len(COLUMNS)) - MEAN) / SCALE).T
    for l in range(len(W)):
        z = np.array(W[l]) @ a + np.array(B[l])[:, None]
        a = activation(z) if l < len(W) - 1 else output(z)
    return a


if __name__ == "__main__":
    print(" ".join(f"{{v:.6f}}" for v in predict(np.array([{example!r}]))[:, 0]))
'''


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


def _matrix(rows: list[list[float]]) -> str:
    return "[" + ", ".join(_vector(row) for row in rows) + "]"

"""Grids: what every neuron and the output compute over the plane, as one byte per cell.

The plane [−6, 6]² is sampled D × D times (x left to right, y from +6 at the top row down to −6,
as the playground's heatmap). One float32 forward pass yields every hidden neuron and the output
at every cell; quantizing all of them is then three calls over one buffer.

Byte meaning: neuron maps and binary/regression output maps put the value v on the playground's
colour scale, byte = round((clamp(v, −1, 1) + 1) · 127.5), so 0 is −1, 255 is +1. Multi-class
output maps hold (class << 5) | confidence, confidence 0..31 from 1/K (a toss-up) to 1 (certain).
"""

from __future__ import annotations


import numpy as np

from .features import FEATURES, design_matrix
from .model import Model
from .network import forward

EXTENT = 6.0
THUMBNAIL = 10


def axis(resolution: int) -> np.ndarray:
    """Sample positions along one axis, −6..6 inclusive (the playground's xScale)."""
    return np.linspace(-EXTENT, EXTENT, resolution)


def grid_points(resolution: int) -> np.ndarray:
    """(D·D, 2) points, row-major: row r has y = +6 − 12·r/(D−1), column c has x = −6 + 12·c/(D−1)."""
    xs = axis(resolution)
    gx, gy = np.meshgrid(xs, xs[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()])


def feature_maps(names: tuple[str, ...] | list[str], resolution: int = 100) -> np.ndarray:
    """Each input feature's value over the grid, quantized like neuron maps: (features, D·D) uint8.

    Features are drawn on a −1..1 scale after dividing by their largest magnitude on the plane, so
    x, x² and sin x are all readable.
    """
    xy = grid_points(resolution)
    values = np.stack([FEATURES[name](xy[:, 0], xy[:, 1]) for name in names]) if names else np.zeros((0, len(xy)))
    peak = np.maximum(np.max(np.abs(values), axis=1, keepdims=True), 1e-12) if len(values) else 1.0
    return quantize(values / peak)


def quantize(values: np.ndarray) -> np.ndarray:
    """Bytes for values on the −1..1 scale (clamped): round((v + 1) · 127.5)."""
    out = np.empty(values.shape, dtype=np.uint8)
    scaled = (np.asarray(values, dtype=np.float32) + np.float32(1.0 + 1.0 / 255.0)) * np.float32(127.5)
    np.clip(scaled, 0.0, 255.5, out=scaled)
    np.copyto(out, scaled, casting="unsafe")
    return out


class Grids:
    """One evaluation over the plane, turned into bytes on demand (valid until the next evaluation).

    output: (D·D,) bytes of the output map; neurons: (hidden units, D·D) bytes, layer by layer;
    neuron(i): one hidden unit's map; thumbnails(): (hidden units, T·T) block means.
    """

    def __init__(self, evaluator: "GridEvaluator"):
        self._evaluator = evaluator
        self.resolution = evaluator.resolution
        self._output: np.ndarray | None = None
        self._neurons: np.ndarray | None = None

    # Cached by hand: functools.cached_property takes a lock shared by every instance on
    # Python 3.11, which made all the sessions of a server process queue for their frames.
    @property
    def output(self) -> np.ndarray:
        if self._output is None:
            self._output = self._evaluator.output_bytes()
        return self._output

    @property
    def neurons(self) -> np.ndarray:
        if self._neurons is None:
            e = self._evaluator
            self._neurons = e.quantize()[e.neuron_rows]
        return self._neurons

    def neuron(self, index: int) -> np.ndarray:
        e = self._evaluator
        return quantize(e.buffer[e.neuron_rows[index]])

    def thumbnails(self, size: int = THUMBNAIL) -> np.ndarray:
        e = self._evaluator
        return quantize(block_means(e.buffer[e.neuron_rows], self.resolution, size))


def block_means(maps: np.ndarray, resolution: int, size: int = THUMBNAIL) -> np.ndarray:
    """(maps, D·D) values averaged over (D/size)² blocks: (maps, size·size) float32.

    Sums along rows with a matrix product and across rows with whole-row additions: numpy's
    reductions over short axes are several times slower on the full maps.
    """
    block = resolution // size
    count = len(maps)
    cut = maps.reshape(count, resolution, resolution)[:, :block * size, :block * size]
    rows = np.dot(np.ascontiguousarray(cut).reshape(-1, block), np.ones(block, dtype=maps.dtype))
    rows = rows.reshape(count * size, block, size)
    total = rows[:, 0].copy()
    for i in range(1, block):
        total += rows[:, i]
    return (total / (block * block)).reshape(count, size * size)


class GridEvaluator:
    """Evaluates a model over the grid, reusing its float32 buffers from frame to frame."""

    def __init__(self, model: Model, features: tuple[str, ...], resolution: int = 100):
        self.model, self.resolution = model, resolution
        layout = model.layout
        self.inputs = design_matrix(grid_points(resolution), features, np.float32)
        self.buffer = layout.activation_buffer(resolution * resolution, np.float32)
        self.scratch = np.empty((max(layout.sizes), resolution * resolution), dtype=np.float32)
        self.params32 = np.empty(layout.size, dtype=np.float32)
        self.weights32 = layout.views(self.params32)
        self.neuron_rows = np.array(layout.neuron_rows(), dtype=np.intp)
        self.output_rows = layout.out_rows(layout.num_layers - 1)
        self.offset = np.float32(1.0 + 1.0 / 255.0)
        self._scaled: np.ndarray | None = None
        self._bytes: np.ndarray | None = None

    def evaluate(self) -> Grids:
        """Forward pass over the grid with the model's current parameters."""
        self.forward()
        return Grids(self)

    def forward(self) -> np.ndarray:
        """The float32 activation buffer (rows, D·D); the output rows hold z."""
        np.copyto(self.params32, self.model.params, casting="same_kind")
        return forward(self.model.layout, self.weights32, self.model.activation, self.inputs,
                       self.buffer, self.scratch)

    def quantize(self) -> np.ndarray:
        """All rows of the buffer as bytes in three passes (output rows hold z: see output_bytes)."""
        if self._bytes is None:  # made on first use: a frame seldom needs every full map
            self._scaled = np.empty_like(self.buffer)
            self._bytes = np.empty(self.buffer.shape, dtype=np.uint8)
        np.add(self.buffer, self.offset, out=self._scaled)
        np.multiply(self._scaled, np.float32(127.5), out=self._scaled)
        np.clip(self._scaled, 0.0, 255.5, out=self._bytes, casting="unsafe")
        return self._bytes

    def output_bytes(self) -> np.ndarray:
        z = self.buffer[self.output_rows]
        head = self.model.head
        if head.outputs == 1:
            return quantize(head.display(z))
        return class_bytes(head.predict(z), head.name == "softmax")


def class_bytes(outputs: np.ndarray, probabilities: bool) -> np.ndarray:
    """(class << 5) | confidence for (K, n) outputs: softmax probabilities or tanh scores."""
    k = outputs.shape[0]
    winner = np.argmax(outputs, axis=0)
    top = np.max(outputs, axis=0)
    if probabilities:
        confidence = (top - 1.0 / k) / (1.0 - 1.0 / k)
    else:  # tanh scores: how far the winner is ahead of the runner-up, on 0..2
        confidence = (top - np.partition(outputs, k - 2, axis=0)[k - 2]) / 2.0
    level = np.clip(np.rint(confidence * 31), 0, 31).astype(np.uint8)
    return (winner.astype(np.uint8) << 5) | level

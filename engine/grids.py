"""Grids: what every neuron and the output compute over the plane, as one byte per cell.

The plane [−6, 6]² (or a dataset's own view, engine.datasets.VIEWS) is sampled D × D times (x left
to right, y from the top of the view in the top row down to its bottom, as the playground's
heatmap). One float32 forward pass yields every hidden neuron and the output at every cell;
quantizing them is then a few calls over the buffer's rows.

Byte meaning: neuron maps and binary/regression output maps put the value v on the playground's
colour scale, byte ≈ (clamp(v, −1, 1) + 1) · 127.5, so 0 is −1 (or less), 255 is +1 (or more), and
each byte stands for v = byte / 127.5 − 1. The playground paints maps in SHADES = 31 shades, so the
bytes between the ends of a map (not of a thumbnail) are snapped to the middle byte of their
half-shade (SNAP): a map paints exactly as its unsnapped bytes would and reads back within 2 bytes
(0.016), and with 64 distinct bytes deflates in half the time and size (every frame is deflated
for its browser). Multi-class
output maps hold (class << 5) | confidence, confidence 0..31 from 1/K (a toss-up) to 1 (certain).
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from .datasets import PLANE
from .features import FEATURES, design_matrix
from .model import Model
from .network import forward_ops

EXTENT = PLANE[1]  # the playground's plane is [−EXTENT, EXTENT]²
THUMBNAIL = 10


def axis(resolution: int, view: tuple[float, float] = PLANE) -> np.ndarray:
    """Sample positions along one axis, low..high inclusive (the playground's xScale: −6..6)."""
    return np.linspace(view[0], view[1], resolution)


def grid_points(resolution: int, view: tuple[float, float] = PLANE) -> np.ndarray:
    """(D·D, 2) points, row-major: row r has y = high − (high − low)·r/(D−1), column c has
    x = low + (high − low)·c/(D−1); on the plane, y = +6 − 12·r/(D−1) and x = −6 + 12·c/(D−1)."""
    xs = axis(resolution, view)
    gx, gy = np.meshgrid(xs, xs[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()])


def feature_maps(names: tuple[str, ...] | list[str], resolution: int = 100,
                 view: tuple[float, float] = PLANE) -> np.ndarray:
    """Each input feature's value over the grid, quantized like neuron maps: (features, D·D) uint8.

    Features are drawn on a −1..1 scale after dividing by their largest magnitude in the view, so
    x, x² and sin x are all readable.
    """
    xy = grid_points(resolution, view)
    values = np.stack([FEATURES[name](xy[:, 0], xy[:, 1]) for name in names]) if names else np.zeros((0, len(xy)))
    peak = np.maximum(np.max(np.abs(values), axis=1, keepdims=True), 1e-12) if len(values) else 1.0
    return quantize(values / peak)


SHADES = 31  # the playground's heatmap: d3's quantize over [−1, 1] into 31 colours


def _snapping() -> np.ndarray:
    """For every byte, the byte sent for it: 0 and 255 stay, every other byte becomes the middle one
    of the bytes in the same half of the same shade (shade = ⌊(b / 255) · 31⌋, as the page paints;
    the halves of the middle shade are the two signs, so "discretize" keeps its boundary too)."""
    snap, halves = np.arange(256, dtype=np.uint8), {}
    for b in range(1, 255):
        position = b / 255 * SHADES
        shade = min(SHADES - 1, int(position))
        halves.setdefault((shade, int((position - shade) * 2)), []).append(b)
    for members in halves.values():
        snap[members] = members[len(members) // 2]
    snap.flags.writeable = False
    return snap


SNAP = _snapping()


def quantize(values: np.ndarray, snap: bool = True) -> np.ndarray:
    """Bytes for values on the −1..1 scale (clamped): about (v + 1) · 127.5, snapped (SNAP)."""
    values = np.asarray(values, dtype=np.float32)
    out = np.empty(values.shape, dtype=np.uint8)
    quantize_into(values, np.empty_like(values), out, snap=snap)
    return out


_SCALE, _OFFSET, _LOW, _HIGH = (np.float32(v) for v in (127.5, 128.0, 0.0, 255.5))


def quantize_into(values: np.ndarray, scaled: np.ndarray, out: np.ndarray, bounded: bool = False,
                  snap: bool = True) -> None:
    """quantize() into given buffers; `bounded` values (always within ±1) skip the clamping calls;
    `snap=False` leaves the bytes unsnapped (thumbnails: 100 bytes, nothing to gain)."""
    np.multiply(values, _SCALE, out=scaled)
    np.add(scaled, _OFFSET, out=scaled)  # (v + 1 + 1/255) · 127.5, truncated below
    if not bounded:  # np.fmax and np.fmin: np.clip does the same with more Python around it, and
        np.fmax(scaled, _LOW, out=scaled)  # these also make a NaN (an overflowed network's) the low end
        np.fmin(scaled, _HIGH, out=scaled)
    np.copyto(out, scaled, casting="unsafe")
    if snap:
        np.take(SNAP, out, out=out)  # (buffered: reading and writing `out` at once is safe)


class Grids:
    """One evaluation over the plane, turned into bytes on demand.

    Every map comes out row-major whatever order the plane was evaluated in.
    output: (D·D,) bytes of the output map; neurons: (hidden units, D·D) bytes, layer by layer;
    neuron(i): one hidden unit's map; thumbnails(): (hidden units, T·T) block means.

    The values live in the evaluating thread's workspace until the next evaluation there (of any
    run): read what you need before evaluating again. What was read stays; what was not then
    raises StaleGrids rather than returning another evaluation's maps.
    """

    def __init__(self, evaluator: "GridEvaluator", order: str, quantized: bool = False):
        self._evaluator, self._order, self._quantized = evaluator, order, quantized
        self._workspace = evaluator.workspace
        self._pass = self._workspace.passes
        self.resolution = evaluator.resolution
        self._output: np.ndarray | None = None
        self._neurons: np.ndarray | None = None

    def _current(self) -> "GridEvaluator":
        if self._workspace.passes != self._pass:
            raise StaleGrids("these grids were overwritten by a later evaluation on this thread; "
                             "read them before evaluating again")
        return self._evaluator

    # Cached by hand: functools.cached_property takes a lock shared by every instance on
    # Python 3.11, which made all the sessions of a server process queue for their frames.
    @property
    def output(self) -> np.ndarray:
        """The output map: (D·D,) bytes, row by row from the top of the view (see the module)."""
        if self._output is None:
            self._output = self._current().output_bytes(self._order)
        return self._output

    @property
    def neurons(self) -> np.ndarray:
        """Every hidden neuron's map, layer by layer: (hidden units, D·D) bytes."""
        if self._neurons is None:
            self._neurons = self._current().neuron_bytes(self._order, self._quantized)
        return self._neurons

    def neuron(self, index: int) -> np.ndarray:
        """One hidden neuron's map (counting all hidden layers in order, from 0): (D·D,) bytes."""
        e = self._current()
        return quantize(e.row_major(e.buffer[e.neuron_rows[index]], self._order))

    def thumbnails(self, size: int = THUMBNAIL) -> np.ndarray:
        """Every hidden neuron's map averaged over blocks: (hidden units, size·size) bytes, unsnapped."""
        e = self._current()
        if size != e.thumbnail:
            raise ValueError(f"size: this evaluator makes {e.thumbnail} × {e.thumbnail} thumbnails; got {size}")
        means = e.block_means(self._order)
        out = np.empty(means.shape, dtype=np.uint8)
        quantize_into(means, means, out, e.bounded, snap=False)  # means of bounded values are bounded
        return out


class StaleGrids(RuntimeError):
    """A Grids was read after a later evaluation had overwritten its values."""


def block_means(maps: np.ndarray, resolution: int, size: int = THUMBNAIL) -> np.ndarray:
    """Row-major (maps, D·D) values averaged over (D/size)² blocks: (maps, size·size) float32.

    Sums along rows with a matrix product and across rows with whole-row additions: numpy's
    reductions over short axes are several times slower on the full maps (evaluating in block
    order avoids this altogether).
    """
    block = resolution // size
    count = len(maps)
    rows = np.dot(np.ascontiguousarray(maps).reshape(-1, block), np.ones(block, dtype=maps.dtype))
    rows = rows.reshape(count * size, block, size)
    total = rows[:, 0].copy()
    for i in range(1, block):
        total += rows[:, i]
    return (total / (block * block)).reshape(count, size * size)


class Workspace:
    """One thread's scratch memory for grid passes, shared by every evaluator that runs there.

    A server process evaluates all its sessions' grids one after another on one thread; with a
    buffer of its own each (360 KB and more), none of them was still in the cache when its turn
    came, and a pass cost nearly twice as much with 50 sessions as with one. Shared, the rows
    stay in the cache. The buffers grow to the largest network evaluated; `passes` counts the
    evaluations, so that a Grids can tell when its values have been overwritten.
    """

    def __init__(self) -> None:
        self.passes = 0
        self._storage: dict[tuple[int, type], np.ndarray] = {}  # (cells, dtype) -> (capacity, cells)
        self.ones_for: object = None  # the layout whose ones rows the buffer holds now

    def rows(self, count: int, cells: int, dtype: type = np.float32) -> np.ndarray:
        """At least `count` rows of `cells` values (a view of the shared storage; the same object
        while the storage does not grow, so prepared calls over it stay valid)."""
        key = (cells, dtype)
        storage = self._storage.get(key)
        if storage is None or len(storage) < count:
            capacity = max(count, 2 * len(storage) if storage is not None else 0)
            storage = self._storage[key] = np.zeros((capacity, cells), dtype=dtype)
            if dtype is np.float32:
                self.ones_for = None
        return storage


_local = threading.local()


def workspace() -> Workspace:
    """This thread's workspace."""
    space = getattr(_local, "workspace", None)
    if space is None:
        space = _local.workspace = Workspace()
    return space


@functools.lru_cache(maxsize=64)
def _plane(features: tuple[str, ...], resolution: int, thumbnail: int,
           view: tuple[float, float]) -> dict[str, np.ndarray]:
    """The grid's inputs in both orders (read-only: shared by every evaluator of these features)."""
    points = grid_points(resolution, view)
    inputs = {"rows": design_matrix(points, features, np.float32),
              "blocks": design_matrix(points[_block_order(resolution, thumbnail)], features, np.float32)}
    for array in inputs.values():
        array.flags.writeable = False
    return inputs


class GridEvaluator:
    """Evaluates a model over the grid, in the calling thread's workspace (see Workspace).

    The plane can be evaluated in row order ("rows") or block by block ("blocks": the points of
    each thumbnail block together), which makes thumbnails one matrix-vector product instead of
    a slow strided reduction; the maps are put back in row order when asked for.
    """

    def __init__(self, model: Model, features: tuple[str, ...], resolution: int = 100,
                 thumbnail: int = THUMBNAIL, view: tuple[float, float] = PLANE):
        if resolution % thumbnail:
            raise ValueError(f"resolution: must be a multiple of the thumbnail size {thumbnail}; got {resolution}")
        self.model, self.resolution, self.thumbnail = model, resolution, thumbnail
        layout = model.layout
        self.cells = resolution * resolution
        self.view = (float(view[0]), float(view[1]))
        self.inputs = _plane(tuple(features), resolution, thumbnail, self.view)
        self.params32 = np.empty(layout.size, dtype=np.float32)
        self.weights32 = layout.views(self.params32)
        self.neuron_rows = np.array(layout.neuron_rows(), dtype=np.intp)
        self.output_rows = layout.out_rows(layout.num_layers - 1)
        self.bounded = model.activation.bounded
        self._averager = _averager(resolution // thumbnail)
        self.workspace: Workspace | None = None
        self._storage: np.ndarray | None = None  # the workspace storage the prepared calls use
        self._passes: dict[tuple[str, bool], list] = {}  # (order, every_map) -> prepared forward calls

    def evaluate(self, order: str = "rows", every_map: bool = False) -> Grids:
        """Forward pass over the grid with the model's current parameters.

        every_map: also turn every hidden unit's map into bytes, layer by layer during the pass
        while the values are still in cache (cheaper than afterwards; `Grids.neurons` uses them).
        """
        if order not in self.inputs:
            raise ValueError(f"order: must be one of rows, blocks; got {order!r}")
        self.forward(order, every_map)
        return Grids(self, order, quantized=every_map)

    def forward(self, order: str = "rows", every_map: bool = False) -> np.ndarray:
        """The float32 activation rows (layout rows, D·D) in that order; the output rows hold z."""
        self._take_workspace()
        np.copyto(self.params32, self.model.params, casting="same_kind")
        key = (order, every_map)
        if key not in self._passes:
            self._passes[key] = forward_ops(self.model.layout, self.weights32, self.model.activation,
                                            self.inputs[order], self.buffer, self.scratch,
                                            self._quantize_rows if every_map else None)
        for op in self._passes[key]:
            op()
        return self.buffer

    def _take_workspace(self) -> None:
        """This thread's workspace rows for this network, with its ones rows set; a new pass."""
        space, layout = workspace(), self.model.layout
        rows = layout.rows + max(layout.sizes)  # the activations, then the scratch rows
        storage = space.rows(rows, self.cells)
        if storage is not self._storage:  # another thread, or the storage grew: prepare again
            self._storage, self._passes, self.workspace = storage, {}, space
            self.buffer = storage[:layout.rows]
            self.scratch = storage[layout.rows:rows]
        if space.ones_for != layout:
            self.buffer[layout.ones_rows()] = 1.0
            space.ones_for = layout
        space.passes += 1

    def row_major(self, values: np.ndarray, order: str) -> np.ndarray:
        """Maps (..., D·D) in row order (a new array when they were evaluated by blocks)."""
        if order == "rows":
            return values
        s, b = self.thumbnail, self.resolution // self.thumbnail
        # In block order a map is [block row, block column, row, column]; swapping the middle two
        # axes is row order. A strided copy: cheaper than np.take with an index per cell.
        blocks = values.reshape(*values.shape[:-1], s, s, b, b)
        axes = tuple(range(values.ndim - 1))
        rows = np.ascontiguousarray(blocks.transpose(*axes, *(a + len(axes) for a in (0, 2, 1, 3))))
        return rows.reshape(values.shape)

    def quantize(self) -> np.ndarray:
        """The hidden rows of the buffer as bytes, in the order evaluated (output rows are left
        unset: they hold z, which output_bytes turns into the output map)."""
        self._quantize_rows(slice(0, self.output_rows.start))
        return self._bytes()

    def _bytes(self) -> np.ndarray:
        return self.workspace.rows(len(self.buffer), self.cells, np.uint8)

    def _quantize_rows(self, rows: slice) -> None:
        # The forward pass's scratch rows are free between layers: quantizing through them keeps
        # the working set small (a full-size buffer for the scaled values would not stay in cache).
        out = self._bytes()
        step = len(self.scratch)
        for start in range(rows.start, rows.stop, step):
            part = slice(start, min(start + step, rows.stop))
            quantize_into(self.buffer[part], self.scratch[:part.stop - part.start], out[part], self.bounded)

    def neuron_bytes(self, order: str, quantized: bool = False) -> np.ndarray:
        """Every hidden unit's map as bytes, row-major: (hidden units, D·D).

        quantized: the hidden rows were already turned into bytes during the forward pass.
        """
        maps = (self._bytes() if quantized else self.quantize())[self.neuron_rows]
        return self.row_major(maps, order) if len(maps) else maps

    def block_means(self, order: str) -> np.ndarray:
        """Thumbnails as floats: (hidden units, T·T) means of the maps' blocks."""
        if order == "rows":
            return block_means(self.buffer[self.neuron_rows], self.resolution, self.thumbnail)
        t, layout = self.thumbnail, self.model.layout
        means = np.empty((len(self.neuron_rows), t * t), dtype=np.float32)
        done = 0
        for l in range(layout.num_layers - 1):  # each layer's units are contiguous rows: no copy
            units = self.buffer[layout.out_rows(l)]
            np.dot(units.reshape(len(units) * t * t, -1), self._averager, out=means[done:done + len(units)].reshape(-1))
            done += len(units)
        return means

    def output_bytes(self, order: str = "rows") -> np.ndarray:
        """The output map as bytes, row-major (a new array)."""
        z = self.buffer[self.output_rows]
        head = self.model.head
        if head.outputs > 1:
            return class_bytes(head.predict(self.row_major(z, order)), head.name == "softmax")
        # On the colour scale and into bytes in the order evaluated, through a scratch row (free
        # after the pass); then the bytes, not the floats, are put in row order.
        values = self.scratch[0]
        head.display_into(z, values)
        out = self._bytes()[0]
        quantize_into(values, values, out, head.display_bounded)
        return self.row_major(out, order) if order == "blocks" else out.copy()


@functools.lru_cache(maxsize=8)
def _averager(block: int) -> np.ndarray:
    """The vector whose product with a block's cells is their mean (shared, read-only)."""
    averager = np.full(block * block, 1.0 / (block * block), dtype=np.float32)
    averager.flags.writeable = False
    return averager


def _block_order(resolution: int, thumbnail: int) -> np.ndarray:
    """Row-major positions of the cells listed block by block (blocks row-major, cells inside each
    block row-major): the points of thumbnail cell k are positions k·B² .. (k+1)·B² − 1."""
    s, b = thumbnail, resolution // thumbnail
    index = np.arange(resolution * resolution).reshape(s, b, s, b)  # [block row, row, block col, col]
    return index.transpose(0, 2, 1, 3).ravel()


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

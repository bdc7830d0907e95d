"""Network layout: layer sizes, one flat parameter buffer, and the forward pass used for evaluation.

Layer l's parameters are the course's W^(l) with the bias folded in as column 0: a matrix of
s_{l+1} rows by s_l + 1 columns, stored C-order one after another in one float64 vector, so an
optimizer update is a handful of calls over the whole network. Activations are laid out the same
way for every batch: per hidden layer a row of ones (its bias input) followed by its units, then
the output nodes; columns are points.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from .activations import Activation
from .seedrandom import SeedRandom
from .steps import Steps, finish


@dataclass(frozen=True)
class Layout:
    """Where everything lives for a network of the given layer sizes [inputs, hidden..., outputs]."""

    sizes: tuple[int, ...]

    @property
    def num_layers(self) -> int:
        """Number of weight matrices (hidden layers + 1)."""
        return len(self.sizes) - 1

    @property
    def shapes(self) -> list[tuple[int, int]]:
        return [(n_out, n_in + 1) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]

    @property
    def size(self) -> int:
        return sum(r * c for r, c in self.shapes)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """W^(l) views (s_{l+1}, s_l + 1) into a flat buffer; column 0 holds the biases."""
        views, offset = [], 0
        for rows, cols in self.shapes:
            views.append(flat[offset:offset + rows * cols].reshape(rows, cols))
            offset += rows * cols
        return views

    def weight_mask(self) -> np.ndarray:
        """1.0 where the flat buffer holds a weight, 0.0 where it holds a bias."""
        mask = np.ones(self.size)
        for view in self.views(mask):
            view[:, 0] = 0.0
        return mask

    # Activation rows: block l (l = 0..L-2) is [ones, units of hidden layer l+1]; outputs last.
    @property
    def rows(self) -> int:
        return sum(1 + n for n in self.sizes[1:-1]) + self.sizes[-1]

    def block(self, l: int) -> slice:
        """Rows that feed weight matrix l+1: the ones row and the units of hidden layer l+1."""
        start = sum(1 + n for n in self.sizes[1:l + 1])
        return slice(start, start + 1 + self.sizes[l + 1])

    def out_rows(self, l: int) -> slice:
        """Rows written by weight matrix l: the units of hidden layer l+1, or the outputs."""
        if l < self.num_layers - 1:
            b = self.block(l)
            return slice(b.start + 1, b.stop)
        return slice(self.rows - self.sizes[-1], self.rows)

    def hidden_span(self) -> slice:
        """All hidden rows (ones rows included) in one contiguous slice; empty without hidden layers."""
        return slice(0, self.rows - self.sizes[-1])

    def ones_rows(self) -> list[int]:
        return [self.block(l).start for l in range(self.num_layers - 1)]

    def neuron_rows(self) -> list[int]:
        """Row of every hidden unit, layer by layer."""
        return [r for l in range(self.num_layers - 1) for r in range(self.out_rows(l).start, self.out_rows(l).stop)]

    def activation_buffer(self, columns: int, dtype=np.float64) -> np.ndarray:
        buffer = np.zeros((self.rows, columns), dtype=dtype)
        buffer[self.ones_rows()] = 1.0
        return buffer


def initial_parameters(layout: Layout, source: SeedRandom, zeros: bool = False, scaled: bool = False) -> np.ndarray:
    """Weights U(−0.5, 0.5) and biases 0.1, drawn in nn.ts buildNetwork's order (or all zeros).

    buildNetwork creates each node of a layer in turn and then its input links from the previous
    layer's nodes in order: that is W^(l) row by row. `scaled` (the config's init "glorot") draws
    the same numbers and widens or narrows each matrix's to U(−r, r), r = √(6 / (s_l + s_{l+1}))
    (Glorot and Bengio's): ±0.5 suits the plane's 2 to 7 inputs, and 784 pixels at ±0.5 would
    start every unit far out on its activation.
    """
    return finish(initial_parameters_in_steps(layout, source, zeros, scaled))


MATMUL_FROM = 2000  # points from which forward passes use np.matmul (see forward_ops)
STEP_WEIGHTS = 2000  # initial_parameters_in_steps pauses after drawing this many (about 4 ms)


def initial_parameters_in_steps(layout: Layout, source: SeedRandom,
                                zeros: bool = False, scaled: bool = False) -> Steps[np.ndarray]:
    """initial_parameters(), pausing (yielding) after every STEP_WEIGHTS weights drawn."""
    flat = np.zeros(layout.size)
    if zeros:
        return flat
    drawn = 0
    for view in layout.views(flat):
        view[:, 0] = 0.1
        for j in range(view.shape[0]):
            for i in range(1, view.shape[1]):
                view[j, i] = source.random() - 0.5
            drawn += view.shape[1] - 1
            if drawn >= STEP_WEIGHTS:
                drawn = 0
                yield
        if scaled:
            fan_out, fan_in = view.shape[0], view.shape[1] - 1
            view[:, 1:] *= 2 * math.sqrt(6 / (fan_in + fan_out))
    return flat


def forward(layout: Layout, weights: list[np.ndarray], activation: Activation, inputs: np.ndarray,
            buffer: np.ndarray | None = None, scratch: np.ndarray | None = None,
            after_layer: Callable[[slice], None] | None = None) -> np.ndarray:
    """Evaluate the network on many points at once.

    weights: W^(l) views (any float dtype); inputs: (1 + features, n) with a leading ones row.
    Returns the activation buffer (layout.rows, n): every hidden unit's output, then the output
    layer's pre-activations z (the head turns them into outputs and losses). buffer and scratch
    ((max layer size, n), for activations that need one) may be passed in to be reused.
    after_layer(rows) is called after each hidden layer, while its rows are still in cache.
    """
    n = inputs.shape[1]
    if buffer is None:
        buffer = layout.activation_buffer(n, inputs.dtype)
    if scratch is None:
        scratch = np.empty((max(layout.sizes), n), dtype=buffer.dtype)
    for op in forward_ops(layout, weights, activation, inputs, buffer, scratch, after_layer):
        op()
    return buffer


def forward_ops(layout: Layout, weights: list[np.ndarray], activation: Activation, inputs: np.ndarray,
                buffer: np.ndarray, scratch: np.ndarray,
                after_layer: Callable[[slice], None] | None = None) -> list[Callable[[], object]]:
    """forward()'s calls, bound to its buffers: to be prepared once and run for every evaluation
    with the weights of the moment (the views are read when the calls run)."""
    ops: list[Callable[[], object]] = []
    source = inputs
    # np.dot zero-fills its output before the product: nothing on a few hundred points, but on
    # the 10,000 of a grid it is a pass over the whole buffer. np.matmul does not, and costs
    # more per call, so it is used for the many-point passes only.
    product = np.matmul if inputs.shape[1] >= MATMUL_FROM else np.dot
    for l, w in enumerate(weights):
        rows = buffer[layout.out_rows(l)]
        ops.append(partial(product, w, source, rows))
        if l < layout.num_layers - 1:
            ops += activation.forward_ops(rows, rows, scratch[:rows.shape[0]])
            if after_layer is not None:
                ops.append(partial(after_layer, layout.out_rows(l)))
            source = buffer[layout.block(l)]
    return ops

"""Training: epochs of mini-batch updates, prepared once and replayed as bare NumPy calls.

Every update of an epoch (forward pass, dL/dz, backpropagation, optimizer step, regularization)
is built ahead of time as a flat list of bound NumPy calls over preallocated buffers. An epoch is
then one Python loop over that list, so its cost is the calls themselves (about half a
microsecond each), not interpreter work; see docs/benchmarks.md for why this matters.

Batching follows the replay format exactly: `playground` updates after every `batch_size`-th
sample of an epoch and carries leftovers into the next epoch's first update; `standard` uses
consecutive chunks, a smaller last one, and (outside replay) a fresh order every epoch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import Callable

import numpy as np

from .activations import Activation, Op, flat
from .losses import Head
from .network import Layout
from .steps import Steps, finish


UPDATES_PER_CHECK = 8  # run_for looks at the clock after this many updates
BUILD_CHUNK = 800  # Trainer.in_steps pauses after preparing this many updates (about 8 ms)
# Inputs of more rows than this (a table's many columns: MNIST's 785) are gathered into one
# buffer per batch width as each update begins, instead of being copied batch by batch when the
# epoch is prepared: a copy of MNIST's training inputs would be 25 MB per run.
GATHER_FROM = 64


@dataclass(frozen=True)
class Settings:
    """Hyperparameters of the update rule (docs/replay-format.md's names)."""

    learning_rate: float = 0.03
    optimizer: str = "sgd"  # sgd | momentum | adam
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    regularization: str | None = None  # None | "L1" | "L2"
    regularization_rate: float = 0.0
    batch_size: int = 10
    batching: str = "playground"  # playground | standard


class _Buffers:
    """Activation, delta, derivative and scratch rows for batches of one width."""

    def __init__(self, layout: Layout, activation: Activation, width: int):
        self.a = layout.activation_buffer(width)
        self.z = layout.activation_buffer(width) if activation.needs_z else self.a
        self.delta = np.zeros((layout.rows, width))
        self.deriv = np.zeros((layout.rows, width))
        self.scratch = np.zeros((max(layout.sizes), width))


@dataclass
class _Template:
    """An update's calls for batches of one width, apart from those that read the batch."""

    first: np.ndarray  # where W^(0)·x goes
    middle: list[Op]  # the rest of the forward pass, and f'(z) for the backward pass
    target_ops: Callable[..., list[Op]]  # dL/dz, given the batch's targets as target=
    back: list[Op]  # backpropagation and the gradients, except W^(0)'s
    delta0: np.ndarray  # dL/dz of the first layer, for W^(0)'s gradient
    update: list[Op]  # the optimizer step and regularization


class Trainer:
    """Trains the parameters in `params` (flat, float64, updated in place) on fixed inputs.

    inputs: (1 + features, n) with a leading ones row; targets: (outputs, n) from head.targets.
    shuffle: a generator to reorder `standard` batches every epoch, or None for a fixed order.
    """

    def __init__(self, layout: Layout, activation: Activation, head: Head, params: np.ndarray,
                 inputs: np.ndarray, targets: np.ndarray, settings: Settings,
                 shuffle: np.random.Generator | None = None, *, _later: bool = False):
        n = inputs.shape[1]
        if not 1 <= settings.batch_size <= n:
            raise ValueError(f"batch_size: must be 1..{n} (the number of training points), "
                             f"got {settings.batch_size}")
        self.layout, self.activation, self.head, self.settings = layout, activation, head, settings
        self.params, self.inputs, self.targets, self.shuffle = params, inputs, targets, shuffle
        self.weights = layout.views(params)
        self.grad = np.zeros(layout.size)
        self.grads = layout.views(self.grad)
        self.weight_mask = layout.weight_mask()
        self.alive = np.ones(layout.size)  # 0 on L1-dead links
        self.epochs_done = 0
        self._position = 0  # calls of the current epoch already made (a sliced epoch goes on here)
        self._update = 0  # updates of the current epoch already made
        self._scales: dict[int, np.ndarray] = {}  # batch width -> 0-d lr·scale/width
        # A float array even for a whole rate (JSON's 10): a live change to 0.03 must not truncate to 0.
        self._lr = np.array(settings.learning_rate, dtype=np.float64)
        self._decay = np.ones(layout.size)
        self._l1 = np.zeros(layout.size)
        self._tmp = np.zeros(layout.size)
        self._tmp2 = np.zeros(layout.size)
        self._state = [np.zeros(layout.size), np.zeros(layout.size)]  # momentum v / adam m, v
        self._adam_t = 0
        self._adam = [np.array(0.0), np.array(0.0)]  # lr / (1 − β1^t), 1 / (1 − β2^t)
        self._templates: dict[int, _Template] = {}
        self._batch_buffers: dict[int, np.ndarray] = {}  # batch width -> gathered inputs (GATHER_FROM)
        counts = [rows * cols for rows, cols in layout.shapes]
        self._layer_counts, self._layer_starts = counts, np.cumsum([0] + counts[:-1])
        self._refilled = False  # next_batch drew the coming epoch's order already
        # Σ |step gradient| over the current epoch's updates, and the last complete epoch's
        # (gradient_sizes): two calls an update, about 2 % of a C1 epoch.
        self._abs_sum, self._abs_last, self._abs = np.zeros(layout.size), np.zeros(layout.size), np.zeros(layout.size)
        self._last_updates, self._last_lr = 0, 0.0
        self.set_learning_rate(settings.learning_rate)
        if not _later:
            finish(self._build_epochs(n))

    @classmethod
    def in_steps(cls, *args: object, **kwargs: object) -> Steps["Trainer"]:
        """A Trainer(...) made in steps of BUILD_CHUNK updates (preparing a big network's epoch,
        2,000 updates of batch size 1, takes about 50 ms): a generator that pauses between them
        and returns the trainer."""
        trainer = cls(*args, **kwargs, _later=True)  # type: ignore[arg-type]
        yield from trainer._build_epochs(trainer.inputs.shape[1])
        return trainer

    # -- public -----------------------------------------------------------------------------

    def run_epochs(self, epochs: int) -> None:
        """Train `epochs` passes over the training data (the first finishes a sliced epoch)."""
        for _ in range(epochs):
            ops, _ = self._current()
            for op in ops[self._position:] if self._position else ops:
                op()
            self._end_epoch()

    def run_for(self, seconds: float, clock: Callable[[], float] = time.perf_counter) -> bool:
        """Go on with the current epoch for about `seconds` (at least a few updates), stopping
        between two updates; True when the epoch is complete. The next call, or run_epochs, goes
        on where this one stopped, so an epoch in slices computes exactly what it does whole."""
        deadline = clock() + seconds
        while not self.run_updates(UPDATES_PER_CHECK):
            if clock() >= deadline:
                return False
        return True

    def run_updates(self, count: int = 1) -> bool:
        """Make the next `count` updates of the current epoch (fewer if it ends first); True when
        the epoch is complete."""
        ops, marks = self._current()
        self._update = min(self._update + count, len(marks))
        stop = marks[self._update - 1]
        for op in ops[self._position:stop]:
            op()
        self._position = stop
        if stop == len(ops):
            self._end_epoch()
            return True
        return False

    def next_batch(self) -> np.ndarray:
        """The training points' indices (columns of `inputs`) that the next update will use."""
        if self._position == 0 and self._refill is not None and not self._refilled:  # a new epoch's order,
            self._refill()  # drawn now rather than when the epoch begins (the same draw)
            self._refilled = True
        s, n = self.settings, self.inputs.shape[1]
        b, u = s.batch_size, self._update
        if s.batching == "playground":
            leftover = n % b
            if self.epochs_done and leftover:  # the last epoch's leftover goes into the first update
                return np.concatenate([np.arange(n - leftover, n), np.arange(b)]) if u == 0 else np.arange(u * b, u * b + b)
            return np.arange(u * b, u * b + b)
        order = self._order if self.shuffle is not None else np.arange(n)
        return np.array(order[u * b:min(u * b + b, n)])

    def release(self) -> None:
        """Drop the prepared calls. Some are this trainer's own methods, so trainer and calls form
        a cycle that only the garbage collector would free; a server making networks all the time
        calls this when it drops one, so that they are freed at once."""
        self._first_epoch = self._later_epoch = []
        self._first_marks = self._later_marks = []
        self._refill = None
        self._templates.clear()
        self._gathers = []

    @property
    def in_epoch(self) -> bool:
        """Part of an epoch is done (run_for stopped within it)."""
        return self._position > 0

    def _current(self) -> tuple[list[Op], list[int]]:
        """This epoch's calls and where each of its updates ends; refills a new epoch's batches."""
        if self._position == 0 and self._refill is not None:
            if not self._refilled:
                self._refill()
            self._refilled = False
        if self.epochs_done == 0:
            return self._first_epoch, self._first_marks
        return self._later_epoch, self._later_marks

    def _end_epoch(self) -> None:
        self._last_updates = len(self._later_marks if self.epochs_done else self._first_marks)
        self._last_lr = float(self._lr)
        np.copyto(self._abs_last, self._abs_sum)  # (the prepared calls hold _abs_sum itself)
        self._abs_sum.fill(0.0)
        self._position = self._update = 0
        self.epochs_done += 1

    def gradient_sizes(self) -> list[float] | None:
        """Per weight matrix, the mean |dJ/dW| (biases included) over the updates of the last
        complete epoch, or None before the first: how strongly each layer is being trained (a deep
        sigmoid network's first layers get far smaller gradients than its last: they vanish)."""
        if not self._last_updates:
            return None
        # The step gradient is lr·dJ/dW for plain SGD (the rate folded in), dJ/dW otherwise.
        per = self._last_updates * (self._last_lr if self.settings.optimizer == "sgd" else 1.0)
        if per == 0:
            return [0.0] * self.layout.num_layers
        sums = np.add.reduceat(self._abs_last, self._layer_starts)
        return [float(total / (count * per)) for total, count in zip(sums, self._layer_counts)]

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate from the next update on; nothing else is reset."""
        s = self.settings
        self._lr[...] = learning_rate
        for width, scale in self._scales.items():
            scale[...] = self._scale_value(width)
        self._adam[0][...] = learning_rate / (1.0 - s.beta1 ** max(self._adam_t, 1))
        rate = s.regularization_rate
        self._decay[...] = 1.0 - learning_rate * rate * self.weight_mask if s.regularization == "L2" else 1.0
        self._l1[...] = learning_rate * rate * self.weight_mask if s.regularization == "L1" else 0.0

    def revive(self, index: int) -> None:
        """Make an L1-dead link trainable again (after the user sets its weight by hand)."""
        self.alive[index] = 1.0

    def state_arrays(self) -> list[np.ndarray]:
        """Everything an epoch changes besides `params`, to snapshot and restore."""
        return [self.alive, *self._state]

    def forget(self) -> None:
        """Start the optimizer's memory afresh (momentum, Adam's moments and step count) and make
        every L1-dead link trainable: for parameters set from outside (Run.restore)."""
        for array in self._state:
            array.fill(0.0)
        self.alive.fill(1.0)
        self._adam_t = 0
        self.set_learning_rate(float(self._lr))


    # -- building ---------------------------------------------------------------------------

    def _build_epochs(self, n: int) -> Steps[None]:
        """Prepare the epochs' calls, pausing (yielding) after every BUILD_CHUNK updates."""
        s = self.settings
        b = s.batch_size
        self._refill = None
        self._gathers: list[tuple[int, int, np.ndarray, np.ndarray]] = []
        if s.batching == "playground":
            starts = list(range(0, n - n % b, b))
            first = []
            for count, i in enumerate(starts, 1):
                first.append(self._step_ops(*self._fixed_chunk(np.arange(i, i + b))))
                if count % BUILD_CHUNK == 0:
                    yield
            later = list(first)
            leftover = n % b
            if leftover:
                carried = np.concatenate([np.arange(n - leftover, n), np.arange(b)])
                later[0] = self._step_ops(*self._fixed_chunk(carried))
        elif s.batching == "standard":
            bounds = [(i, min(i + b, n)) for i in range(0, n, b)]
            self._order = np.arange(n)
            first = []
            for count, (i, j) in enumerate(bounds, 1):
                chunk = self._fixed_chunk(np.arange(i, j)) if self.shuffle is None else self._shuffled_chunk(i, j)
                first.append(self._step_ops(*chunk))
                if count % BUILD_CHUNK == 0:
                    yield
            if self.shuffle is not None:
                self._refill = self._reshuffle
            later = first
        else:
            raise ValueError(f"batching: must be one of playground, standard; got {s.batching!r}")
        self._first_epoch = [op for ops in first for op in ops]
        self._later_epoch = [op for ops in later for op in ops]
        self._first_marks = list(accumulate(len(ops) for ops in first))
        self._later_marks = list(accumulate(len(ops) for ops in later))

    def _fixed_chunk(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Op]]:
        """A batch of these points: its inputs and targets, and the calls that gather them first."""
        y = np.ascontiguousarray(self.targets[:, index])
        if self.inputs.shape[0] <= GATHER_FROM:
            return np.ascontiguousarray(self.inputs[:, index]), y, []
        x = self._batch_inputs(len(index))
        return x, y, [partial(np.take, self.inputs, index, axis=1, out=x, mode="clip")]

    def _shuffled_chunk(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, list[Op]]:
        """The batch of places start..stop of the epoch's order (reshuffled every epoch)."""
        y = np.empty((self.targets.shape[0], stop - start))
        if self.inputs.shape[0] <= GATHER_FROM:
            x = np.empty((self.inputs.shape[0], stop - start))
            self._gathers.append((start, stop, x, y))
            return x, y, []
        self._gathers.append((start, stop, None, y))
        x = self._batch_inputs(stop - start)  # a view of the order: it sees every reshuffle
        return x, y, [partial(np.take, self.inputs, self._order[start:stop], axis=1, out=x, mode="clip")]

    def _batch_inputs(self, width: int) -> np.ndarray:
        """The one inputs buffer of batches of this width (GATHER_FROM)."""
        if width not in self._batch_buffers:
            self._batch_buffers[width] = np.empty((self.inputs.shape[0], width))
        return self._batch_buffers[width]

    def _reshuffle(self) -> None:
        self.shuffle.shuffle(self._order)
        for start, stop, x, y in self._gathers:
            index = self._order[start:stop]
            if x is not None:
                np.take(self.inputs, index, axis=1, out=x)
            np.take(self.targets, index, axis=1, out=y)

    def _scale(self, width: int) -> np.ndarray:
        """0-d array the summed gradient of a batch is multiplied by (kept live for lr changes)."""
        if width not in self._scales:
            self._scales[width] = np.array(self._scale_value(width))
        return self._scales[width]

    def _scale_value(self, width: int) -> float:
        # Plain SGD folds the learning rate in (one call fewer); the others need the mean gradient.
        lr = float(self._lr) if self.settings.optimizer == "sgd" else 1.0
        return lr * self.head.delta_scale / width

    def _step_ops(self, x: np.ndarray, y: np.ndarray, gather: list[Op] = ()) -> list[Op]:
        """One update on the batch (x, y): forward, dL/dz, backward, optimizer, regularization.

        Only the calls that read x or y are made per batch; the rest are shared by every batch
        of the same width, so an epoch touches few distinct objects (they stay in cache).
        """
        width = x.shape[1]
        if width not in self._templates:
            self._templates[width] = self._template(width)
        t = self._templates[width]
        return [*gather, partial(np.dot, self.weights[0], x, t.first), *t.middle, *t.target_ops(target=y), *t.back,
                partial(np.dot, t.delta0, x.T, self.grads[0]), *t.update]

    def _template(self, width: int) -> "_Template":
        buf = _Buffers(self.layout, self.activation, width)
        layout, act, head = self.layout, self.activation, self.head
        last = layout.num_layers - 1
        out = layout.out_rows(last)
        scratch = buf.scratch[:out.stop - out.start]  # for the output rows
        # A tanh output under squared error with tanh hidden layers: its derivative 1 − a² is
        # computed in the same call as the hidden layers' (the playground's default network).
        shared = (head.loss_name == "half_square" and head.output == act.name and last > 0
                  and not act.needs_z and not act.linear)
        middle: list[Op] = []
        for l in range(last):  # hidden layers; W^(0)·x is the step's own first call
            rows = layout.out_rows(l)
            if l:
                middle.append(partial(np.dot, self.weights[l], buf.a[layout.block(l - 1)], buf.z[rows]))
            middle += act.forward_ops(buf.z[rows], buf.a[rows], buf.scratch[:rows.stop - rows.start])
        if last:
            middle.append(partial(np.dot, self.weights[last], buf.a[layout.block(last - 1)], buf.a[out]))
        if shared:
            middle += act.forward_ops(buf.a[out], buf.a[out], scratch)
        span = slice(0, layout.rows) if shared else layout.hidden_span()
        if last > 0 and not act.linear:
            middle += act.derivative_ops(buf.z[span], buf.a[span], buf.deriv[span])
        if shared:
            target_ops = partial(head.delta_ops, buf.a[out], delta=buf.delta[out], derivative=buf.deriv[out])
        else:
            target_ops = partial(head.train_ops, buf.a[out], delta=buf.delta[out], scratch=scratch)
        back: list[Op] = []
        for l in range(last, 0, -1):
            rows, below = layout.out_rows(l), layout.out_rows(l - 1)
            back.append(partial(np.dot, buf.delta[rows], buf.a[layout.block(l - 1)].T, self.grads[l]))
            # Through all of W^(l), bias column included: W[:, 1:] is not contiguous and np.dot
            # would copy it every step. The bias column's product lands in the ones row's slot
            # of the delta buffer, which nothing reads.
            back.append(partial(np.dot, self.weights[l].T, buf.delta[rows], buf.delta[layout.block(l - 1)]))
            if not act.linear:
                d, g = flat(buf.delta[below]), flat(buf.deriv[below])
                back.append(partial(np.multiply, d, g, d))
        first = buf.z[layout.out_rows(0)] if last else buf.a[out]
        return _Template(first, middle, target_ops, back,
                         buf.delta[layout.out_rows(0)], self._update_ops(self._scale(width)))

    def _update_ops(self, scale: np.ndarray) -> list[Op]:
        """params ← optimizer step from grad·scale/lr, with the regularization decay on weights."""
        s, p, g, tmp = self.settings, self.params, self.grad, self._tmp
        ops: list[Op] = []
        if s.regularization == "L1":  # the decay uses the weights from before the step
            ops += [partial(np.sign, p, self._tmp2), partial(np.multiply, self._tmp2, self._l1, self._tmp2)]
        ops.append(partial(np.multiply, g, scale, g))  # sgd: lr · mean gradient; else the mean
        ops += [partial(np.absolute, g, self._abs), partial(np.add, self._abs_sum, self._abs, self._abs_sum)]
        c = {name: np.array(value) for name, value in (
            ("mu", s.momentum), ("b1", s.beta1), ("1-b1", 1.0 - s.beta1), ("b2", s.beta2),
            ("1-b2", 1.0 - s.beta2), ("eps", s.eps))}
        if s.optimizer == "sgd":
            step = g
        elif s.optimizer == "momentum":
            v = self._state[0]
            ops += [partial(np.multiply, v, c["mu"], v), partial(np.add, v, g, v),
                    partial(np.multiply, v, self._lr, tmp)]
            step = tmp
        elif s.optimizer == "adam":
            m, v = self._state
            ops += [self._adam_tick, partial(np.multiply, m, c["b1"], m),
                    partial(np.multiply, g, c["1-b1"], tmp), partial(np.add, m, tmp, m),
                    partial(np.multiply, g, g, tmp), partial(np.multiply, v, c["b2"], v),
                    partial(np.multiply, tmp, c["1-b2"], tmp), partial(np.add, v, tmp, v),
                    partial(np.multiply, v, self._adam[1], tmp), partial(np.sqrt, tmp, tmp),
                    partial(np.add, tmp, c["eps"], tmp), partial(np.divide, m, tmp, tmp),
                    partial(np.multiply, tmp, self._adam[0], tmp)]
            step = tmp
        else:
            raise ValueError(f"optimizer: must be one of sgd, momentum, adam; got {s.optimizer!r}")
        if s.regularization == "L2":
            ops.append(partial(np.multiply, p, self._decay, p))
        ops.append(partial(np.subtract, p, step, p))
        if s.regularization == "L1":
            ops += self._l1_ops()
        return ops

    def _adam_tick(self) -> None:
        self._adam_t += 1
        s = self.settings
        self._adam[0][...] = float(self._lr) / (1.0 - s.beta1 ** self._adam_t)
        self._adam[1][...] = 1.0 / (1.0 - s.beta2 ** self._adam_t)

    def _l1_ops(self) -> list[Op]:
        """Decay by lr·rate·sign(w0); a weight the decay pushes across zero dies (nn.ts isDead)."""
        p, before, decay = self.params, self._tmp, self._tmp2
        return [partial(np.copyto, before, p), partial(np.subtract, p, decay, p),
                partial(np.multiply, before, p, before),
                partial(np.greater_equal, before, np.array(0.0), out=before),
                partial(np.multiply, self.alive, before, self.alive), partial(np.multiply, p, self.alive, p)]

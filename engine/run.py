"""A run: one user's data, network and training progress, with the small API the server drives.

Build it from a config, `step` it (or `step_for` a while, which may stop within an epoch), change
settings with `configure`, `reset` the weights, `regenerate` the data, read `metrics`, read and
set weights (the run keeps the `edits` made since its network was made), and evaluate `grids`.
Making a network has a form in steps too (`Run.in_steps`, `configure_in_steps`, ...), so a server
can do it between other work. A diverging run (NaN or overflow) is rolled back to its last finite
state and frozen until reset.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from . import backprop
from . import config as cfg
from .datasets import LOGIC_INPUTS, Dataset, generate_in_steps, view_of
from .edits import EditRecord, bias_problems, edit_problems, weight_problems
from .features import design_matrix
from .grids import GridEvaluator, Grids
from .losses import Head, make_head
from .model import Confusion, Model, mean, regression_scores
from .network import forward, forward_ops, initial_parameters_in_steps
from .seedrandom import SeedRandom, new_seed
from .stalls import CHECK_EVERY, PLATEAU, find_stall, typical_steps
from .steps import Steps, finish
from .tables import OWN_TABLE, REAL, Table, TableError, design, from_arrays, load_in_steps, table_of
from .trainer import Settings, Trainer
from .userdata import CUSTOM, NOT_APPLIED, num_classes

HEADS = {("classification", "half_square"): ("tanh", "half_square"),
         ("classification", "cross_entropy"): ("sigmoid", "cross_entropy"),
         ("regression", "half_square"): ("linear", "half_square"),
         ("multiclass", "cross_entropy"): ("softmax", "softmax_cross_entropy"),
         ("multiclass", "half_square"): ("tanh", "half_square")}


@dataclass(frozen=True)
class Metrics:
    """Where training stands. Losses are finite numbers; accuracies are None for regression.
    stalled: the layer that has stopped training from going anywhere (engine/stalls.py), or None."""

    epoch: int
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    diverged: bool
    stalled: dict[str, Any] | None = None
    penalty: float = 0.0  # the regularization term: rate · Σ ½w² (L2) or rate · Σ |w| (L1), weights only
    confusion: list[list[int]] | None = None  # test set, K × K counts, rows the true class (classes)
    r2: float | None = None  # test set (regression)
    rmse: float | None = None  # test set, in the labels' units (regression)
    truth_table: list[dict[str, Any]] | None = None  # the logic dataset's four inputs (Run.truth_table)
    sample_predictions: list[float] | None = None  # a table's first test rows (Table.describe): class, output or target
    gradient_sizes: list[float] | None = None  # per weight matrix, mean |dJ/dW| over the last epoch

    @property
    def train_loss_with_penalty(self) -> float:
        """What training minimizes: the training loss plus the regularization penalty."""
        return self.train_loss + self.penalty

    def to_dict(self) -> dict[str, Any]:
        """As a plain dict (by hand: dataclasses.asdict deep-copies, a tenth of a frame's time)."""
        out = {"epoch": self.epoch, "train_loss": self.train_loss, "test_loss": self.test_loss,
               "train_accuracy": self.train_accuracy, "test_accuracy": self.test_accuracy,
               "diverged": self.diverged, "stalled": dict(self.stalled) if self.stalled else None,
               "penalty": self.penalty, "train_loss_with_penalty": self.train_loss_with_penalty}
        if self.confusion is not None:
            out["confusion"] = self.confusion
        if self.r2 is not None:
            out["r2"], out["rmse"] = self.r2, self.rmse
        if self.truth_table is not None:
            out["truth_table"] = self.truth_table
        if self.sample_predictions is not None:
            out["sample_predictions"] = self.sample_predictions
        out["gradient_sizes"] = self.gradient_sizes
        return out


def head_for(config: Mapping[str, Any]) -> Head:
    output, loss = HEADS[(config["problem"], config["loss"])]
    outputs = config["num_classes"] if config["problem"] == "multiclass" else 1
    return make_head(output, loss, outputs)


class Run:
    """One training session: its config (every setting, checked), its data (points of the plane
    or a table), its network and how far it has trained. docs/api.md describes it for notebooks."""

    stopped: str | None = None  # the stop condition that ended the last step early, if one did

    def __init__(self, config: Mapping[str, Any] | None = None, data: Dataset | None = None,
                 table: Table | None = None):
        """A run of this config; `data`: your own points (engine/userdata.py), for the dataset
        "custom"; `table`: a table of your own (engine/tables.py), for the dataset "table"."""
        finish(self._begin(config, data, table))
        finish(self._data_steps())
        self._make_network(fresh=True)

    @classmethod
    def from_arrays(cls, X: Any, y: Any, problem: str = "regression", config: Mapping[str, Any] | None = None,
                    **table: Any) -> "Run":
        """A run on your own arrays, for notebooks: X (n, d) inputs, y (n,) targets (class numbers
        0..9 for "multiclass", 0/1 or ±1 for "classification", values for "regression"). Keyword
        arguments go to engine.tables.from_arrays: X_test and y_test (else every fifth row is a
        test row, or as test_ratio says), columns (names), target, classes, image, units.
        `config`: any other settings (network_shape, activation, learning_rate, ...). Raises
        TableError or ConfigError naming what is wrong."""
        if "X_test" in table:
            table["test_x"] = table.pop("X_test")
        if "y_test" in table:
            table["test_y"] = table.pop("y_test")
        own = from_arrays(X, y, problem, **table)
        return cls({**dict(config or {}), "dataset": OWN_TABLE, "problem": problem}, table=own)

    def _begin(self, config: Mapping[str, Any] | None, data: Dataset | None,
               table: Table | None = None) -> Steps[None]:
        self._custom, self._own_table = data, table
        self.config = cfg.validate(config, train_points=self._own_points(), table=table)
        if self.config["dataset"] != CUSTOM:
            self._custom = None
        if self.config["dataset"] != OWN_TABLE:
            self._own_table = None
        self._edits = EditRecord()
        return
        yield

    # -- driving ------------------------------------------------------------------------------

    def step(self, epochs: int = 1) -> Metrics:
        """Train `epochs` epochs (none once diverged) and return the metrics after them; fewer
        when a stop condition (`stop_epoch`, `stop_test_loss`) is reached on the way, which
        `stopped` then names."""
        if epochs < 0:
            raise ValueError(f"epochs: must be 0 or more, got {epochs}")
        self.stopped = None
        if self._diverged or epochs == 0:
            return self.metrics
        stop_epoch, stop_loss = self.config["stop_epoch"], self.config["stop_test_loss"]
        if stop_epoch is not None and self._epoch < stop_epoch:
            epochs = min(epochs, stop_epoch - self._epoch)
        if stop_loss is not None and self._metrics[1] > stop_loss:
            for _ in range(epochs):  # one at a time, to stop at the first epoch that reaches it
                self._train(1)
                if self._diverged or self._stop_reached():
                    break
            return self.metrics
        self._train(epochs)
        self._stop_reached()
        return self.metrics

    def _train(self, epochs: int) -> None:
        saved = [self.model.params.copy()] + [a.copy() for a in self.trainer.state_arrays()]
        with np.errstate(all="ignore"):
            self.trainer.run_epochs(epochs)
            evaluated = self._evaluate()
        self._finish_epochs(epochs, evaluated, saved)

    def _stop_reached(self) -> bool:
        """After training from below a stop condition: whether it is now reached (`stopped` says
        which). Reached once, a condition does not stop the run again while it stays reached."""
        stop_epoch, stop_loss = self.config["stop_epoch"], self.config["stop_test_loss"]
        if stop_epoch is not None and self._epoch == stop_epoch:
            self.stopped = "stop_epoch"
        elif stop_loss is not None and self._metrics[1] <= stop_loss < self._loss_before:
            self.stopped = "stop_test_loss"
        self._loss_before = self._metrics[1]
        return self.stopped is not None

    def step_for(self, seconds: float) -> bool:
        """Train for about `seconds`, then stop between two updates, perhaps within an epoch (the
        next step_for or step goes on with it), so that a network whose epoch is long can be
        trained in short turns. True when an epoch was completed: the epoch count and metrics are
        then those after it; until then they stay those of the last complete epoch."""
        self.stopped = None
        if self._diverged:
            return False
        if not self.trainer.in_epoch:
            self._epoch_start = [self.model.params.copy()] + [a.copy() for a in self.trainer.state_arrays()]
        with np.errstate(all="ignore"):
            if not self.trainer.run_for(seconds):
                return False
            evaluated = self._evaluate()
        self._finish_epochs(1, evaluated, self._epoch_start)
        self._stop_reached()
        return True

    @property
    def in_epoch(self) -> bool:
        """step_for stopped within an epoch."""
        return self.trainer.in_epoch

    def release(self) -> None:
        """This run will not be used again: free what it holds now rather than at the garbage
        collector's next full pass (Trainer.release)."""
        trainer = getattr(self, "trainer", None)
        if trainer is not None:
            trainer.release()

    def _finish_epochs(self, epochs: int, evaluated: Any, saved: list[np.ndarray]) -> None:
        """After training: the new metrics, or, if anything is no longer finite, the parameters
        from before and the run marked diverged."""
        if evaluated is None:
            for target, copy in zip([self.model.params] + self.trainer.state_arrays(), saved):
                target[...] = copy
            self._diverged = True
        else:
            self._epoch += epochs
            self._metrics = evaluated
            if self._epoch - self._stall_checked >= CHECK_EVERY:
                self._check_losses = [*self._check_losses[1 - PLATEAU:], self._metrics[0]]
                self._check_stall()

    def configure(self, update: Mapping[str, Any]) -> str:
        """Apply a partial config; returns what it took: "none", "live", "reset" or "data".

        Raises ConfigError (and changes nothing) if the merged config is invalid.
        """
        return finish(self.configure_in_steps(update))

    def reset(self) -> Metrics:
        """New initial weights drawn from the continuing random stream (the playground's reset)."""
        return finish(self.reset_in_steps())

    def regenerate(self, seed: str | None = None) -> Metrics:
        """New data from a new seed; the network keeps its weights (the playground's regenerate)."""
        return finish(self.regenerate_in_steps(seed))

    # The same, in steps: generators that pause between the costly parts of making a network
    # (the data, the initial weights, the trainer), each a few milliseconds even for the largest
    # one, so that a server can serve others in between. `finish(steps)` runs one to its end and
    # returns its result. Until it has ended, the run must not be used (it is half made); the
    # first step only checks everything (a ConfigError comes before any change) and is cheap.

    @classmethod
    def in_steps(cls, config: Mapping[str, Any] | None = None, data: Dataset | None = None,
                 table: Table | None = None) -> Steps["Run"]:
        """A new Run, as Run(config, data, table) makes it."""
        run = cls.__new__(cls)
        yield from run._begin(config, data, table)
        yield
        yield from run._data_steps()
        yield
        yield from run._network_steps(fresh=True)
        return run

    def configure_in_steps(self, update: Mapping[str, Any]) -> Steps[str]:
        new = cfg.validate(update, self.config, train_points=self._own_points(), table=self._own_table)
        if new["dataset"] == CUSTOM:
            _raise_if(self._own_data_problems(new))
        kind = cfg.change_kind(self.config, new)
        if new["dataset"] == CUSTOM == self.config["dataset"]:  # settings of generated data do not apply
            kind = cfg.change_kind({**self.config, **{key: new[key] for key in NOT_APPLIED}}, new)
        if new["dataset"] == self.config["dataset"] and self.table is not None:  # nor to a table's rows
            kind = cfg.change_kind({**self.config, **{key: new[key] for key in cfg.TABLE_NOT_APPLIED}}, new)
        self.config = new
        if new["dataset"] != CUSTOM:
            self._custom = None
        if new["dataset"] != OWN_TABLE:
            self._own_table = None
        if kind == "live":
            self.trainer.set_learning_rate(new["learning_rate"])
            self._check_losses = []  # the new rate gets its own chance
        elif kind == "reset":
            yield
            yield from self._network_steps(fresh=True)
        elif kind == "data":
            yield
            yield from self._data_steps()
            yield
            yield from self._network_steps(fresh=True)
        return kind

    def reset_in_steps(self) -> Steps[Metrics]:
        yield from self._network_steps(fresh=False)
        return self.metrics

    def regenerate_in_steps(self, seed: str | None = None) -> Steps[Metrics]:
        if self.config["dataset"] == CUSTOM:
            _raise_if([("dataset", f"{CUSTOM}: your own points are not generated; draw or import new ones")])
        if self.table is not None:
            _raise_if([("dataset", f"{self.config['dataset']}: a table's rows are not generated")])
        self.config = cfg.validate({"seed": seed if seed is not None else new_seed(self._source)}, self.config)
        yield
        yield from self._data_steps()
        yield
        yield from self._trainer_steps()
        self._metrics = self._evaluate() or self._metrics
        self._check_losses = []
        self._check_stall()
        return self.metrics

    # -- your own data and models ---------------------------------------------------------------

    def set_data(self, data: Dataset) -> str:
        """Make these points (engine/userdata.py: parse_csv, from_lists) the run's data: the dataset
        becomes "custom". The network keeps its weights, its epoch and hand-set weights when its
        shape stays (as regenerate keeps them); a multiclass file with another number of classes
        makes a new network. Returns "data" (kept) or "reset" (new network). Raises ConfigError
        (and changes nothing) if the points do not fit the settings."""
        return finish(self.set_data_in_steps(data))

    def set_data_in_steps(self, data: Dataset) -> Steps[str]:
        update: dict[str, Any] = {"dataset": CUSTOM}
        if self.config["problem"] == "multiclass":
            update["num_classes"] = num_classes(data)
        new = cfg.validate(update, self.config, train_points=len(data.train_xy))
        # A new network when its shape changes: another number of classes, or from a table's
        # inputs (its columns) to the plane's features.
        reshaped = (new["num_classes"] != self.config["num_classes"] and new["problem"] == "multiclass") \
            or self.table is not None
        view_changed = view_of(new["dataset"]) != view_of(self.config["dataset"])
        self.config, self._custom = new, data
        yield
        yield from self._data_steps()
        yield
        if reshaped:
            yield from self._network_steps(fresh=True)
            return "reset"
        if view_changed:
            self._grids = GridEvaluator(self.model, tuple(new["features"]), view=view_of(new["dataset"]))
        yield from self._trainer_steps()
        self._metrics = self._evaluate() or self._metrics
        self._check_losses = []
        self._check_stall()
        return "data"

    def restore(self, weights: list, biases: list, epoch: int, edits: Sequence[Mapping[str, Any]] = ()) -> Metrics:
        """Set every weight and bias (as weights() and biases() give them) and the epoch count, as a
        saved model or the page's last frame has them. Training goes on from there; the optimizer's
        memory (momentum, Adam's moments) starts afresh, and so does the playground's batching.
        `edits`: the record of hand-set weights the network was trained from (as `edits` lists
        them), kept as the record only: the weights given already hold what training made of them."""
        problems = []
        for number, edit in enumerate(edits):
            problems += [("edits", f"entry {number}: {field}: {message}") for field, message in edit_problems(self.layer_sizes, edit)]
        _raise_if(problems)
        try:
            self.model.load(weights, biases)
        except ValueError as problem:
            _raise_if([("weights", str(problem).removeprefix("weights: "))])
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
            _raise_if([("epoch", f"must be an integer 0 or more; got {epoch!r}")])
        self.trainer.forget()
        self._epoch, self._diverged = epoch, False
        self._stalled, self._stall_checked, self._check_losses = None, epoch, []
        self._edits.clear()
        for edit in edits:
            self._edits.add(self._edit_index(edit), _clean_edit(edit))
        with np.errstate(all="ignore"):
            evaluated = self._evaluate()
        if evaluated is None:
            self._diverged = True
        else:
            self._metrics = evaluated
        self._loss_before = self._metrics[1]
        return self.metrics

    def _own_points(self) -> int | None:
        """How many training points your own data has (None: the run has none)."""
        return None if self._custom is None else len(self._custom.train_xy)

    def _own_data_problems(self, new: Mapping[str, Any]) -> list[tuple[str, str]]:
        """What a change of settings cannot do to your own points."""
        if new["problem"] != self.config["problem"]:
            return [("problem", f"your own points are for {self.config['problem']}; import them again for {new['problem']}")]
        if new["problem"] == "multiclass" and new["num_classes"] < num_classes(self._custom):
            k = num_classes(self._custom)
            return [("num_classes", f"must be at least {k}: your own points have classes up to {k - 1}")]
        return []

    # -- reading ------------------------------------------------------------------------------

    @property
    def metrics(self) -> Metrics:
        """Where training stands: the losses, accuracies and other scores after the last complete epoch."""
        m = self._metrics
        extra = m[4] if len(m) > 4 else {}
        return Metrics(self._epoch, m[0], m[1], m[2], m[3], self._diverged, self._stalled,
                       gradient_sizes=None if self._diverged else self.trainer.gradient_sizes(), **extra)

    def probe(self, x: float, y: float) -> dict[str, Any]:
        """Forward propagation for one point (x, y) of the plane, as the course writes it
        (engine/backprop.py): {"inputs": the feature values there, "layers": [{"z", "a"} for the
        layer each weight matrix feeds]}, a = g(z) for hidden layers and the output's value for
        the last (a sigmoid's probability, softmax's probabilities, tanh or linear as they are)."""
        if self.table is not None:
            raise ValueError(f"probe: {self.config['dataset']} is a table: probe_row takes one of its rows")
        features = tuple(self.config["features"])
        inputs = design_matrix(np.array([[x, y]], dtype=np.float64), features)[1:]
        with np.errstate(all="ignore"):
            a, z = backprop.forward(self.model.weights, self.model.activation, inputs)
            layers = [{"z": z[l][:, 0].copy(), "a": a[l + 1][1:, 0].copy()} for l in range(len(z) - 1)]
            layers.append({"z": z[-1][:, 0].copy(), "a": self._head.predict(z[-1])[:, 0].copy()})
        return {"inputs": inputs[:, 0].copy(), "layers": layers, "head": self._head.name}

    def probe_row(self, row: Any) -> dict[str, Any]:
        """Forward propagation for one row of a table (all its columns, in its own units), as
        probe gives it for a point of the plane: {"inputs" (as the network sees them), "layers",
        "head"}; a regression's output `a` is in the target's units."""
        if self.table is None:
            raise ValueError(f"probe_row: {self.config['dataset']} is points of the plane: probe takes x and y")
        inputs = self._table_inputs(row)[1:]
        with np.errstate(all="ignore"):
            a, z = backprop.forward(self.model.weights, self.model.activation, inputs)
            layers = [{"z": z[l][:, 0].copy(), "a": a[l + 1][1:, 0].copy()} for l in range(len(z) - 1)]
            out = self._head.predict(z[-1])[:, 0].copy()
        if self.table.problem == "regression":
            out = self.table.to_units(out)
        layers.append({"z": z[-1][:, 0].copy(), "a": out})
        return {"inputs": inputs[:, 0].copy(), "layers": layers, "head": self._head.name}

    def next_batch(self) -> np.ndarray:
        """The training points (indices into the training set) of the trainer's next update."""
        return self.trainer.next_batch()

    def backprop(self, indices: Any = None) -> dict[str, Any]:
        """One forward and backward pass over these training points (default: the next mini-batch),
        in the course's notation (engine/backprop.py), without changing the network:
        {"loss": the mean data loss over them (no regularization penalty), "layers": one entry per
        weight matrix l = 0 … L−1 with arrays "W" (s_{l+1} × (s_l + 1), column 0 the bias), "dW"
        (dJ/dW of that loss, the same shape), "a" (the layer's input activations with the leading
        1, (s_l + 1) × batch), "z" and "delta" (s_{l+1} × batch), and with plain SGD "W_next" (W after
        a gradient-descent step on these points, regularization included: engine/backprop.py's
        sgd_update, which is the trainer's update when they are its next mini-batch)]} and
        "indices" (the points)."""
        n = len(self._train_y)
        index = self.next_batch() if indices is None else np.asarray(indices)
        if index.ndim != 1 or not len(index) or index.dtype.kind not in "iu" or index.min() < 0 or index.max() >= n:
            raise ValueError(f"indices: must be a non-empty list of training points 0..{n - 1}")
        with np.errstate(all="ignore"):
            result = backprop.backprop(self.model.weights, self.model.activation, self._head,
                                       self._train_inputs[1:, index], self._train_y[index])
        result["indices"], result["head"] = index.copy(), self._head.name
        c = self.config
        if c["optimizer"] == "sgd":  # the course's update, which the trainer's equals
            regularization = None if c["regularization"] == "none" else c["regularization"]
            updated = backprop.sgd_update([layer["W"] for layer in result["layers"]],
                                          [layer["dW"] for layer in result["layers"]], c["learning_rate"],
                                          regularization, c["regularization_rate"],
                                          self.model.layout.views(self.trainer.alive.copy()))
            for layer, W in zip(result["layers"], updated):
                layer["W_next"] = W
        return result

    def truth_table(self) -> list[dict[str, Any]]:
        """The network at the course's four inputs (x1, x2) ∈ {0, 1}² (as the features x and y):
        [{"inputs": [x1, x2], "hidden": [[every unit's output] per hidden layer], "output": the
        output on the 0..1 scale (a sigmoid's probability; a tanh output t as (t + 1) / 2; a
        linear one as it is)}], in the order (0, 0), (0, 1), (1, 0), (1, 1)."""
        layout, points = self.model.layout, np.array(LOGIC_INPUTS, dtype=np.float64)
        inputs = design_matrix(points, tuple(self.config["features"]))
        with np.errstate(all="ignore"):
            buffer = forward(layout, self.model.weights, self.model.activation, inputs)
            out = self._head.predict(buffer[layout.out_rows(layout.num_layers - 1)])
        if self._head.name == "tanh":
            out = (out + 1) / 2
        hidden = [buffer[layout.out_rows(l)] for l in range(layout.num_layers - 1)]
        return [{"inputs": [int(a), int(b)], "hidden": [[float(v) for v in layer[:, i]] for layer in hidden],
                 "output": float(out[0, i]) if len(out) == 1 else [float(v) for v in out[:, i]]}
                for i, (a, b) in enumerate(LOGIC_INPUTS)]

    @property
    def head(self) -> str:
        """The output's activation and loss: "tanh", "linear", "sigmoid" or "softmax" (engine/losses.py)."""
        return self._head.name

    @property
    def epoch(self) -> int:
        """Complete epochs trained since the network was made (or as restore set it)."""
        return self._epoch

    @property
    def diverged(self) -> bool:
        """An epoch made a weight NaN or infinite: the run went back to its last finite weights
        and trains no more until reset or a new network."""
        return self._diverged

    @property
    def data(self) -> Dataset:
        """The training and test points (train_xy, train_labels, test_xy, test_labels). On a
        table: its rows in the table's units, and the targets as the network trains on them (a
        regression's standardized; Run.table has them in its units)."""
        return self._data

    def weights(self) -> list[np.ndarray]:
        """W^(l) copies, (s_{l+1}, s_l): [l][j][i] is the weight from node i of layer l to node j."""
        return self.model.weight_matrices()

    def biases(self) -> list[np.ndarray]:
        """b^(l) copies: the biases of the nodes of layer l+1."""
        return self.model.bias_vectors()

    def set_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """Set the weight from node `source` of layer `layer` to node `target` of layer `layer`+1."""
        edit = {"layer": layer, "from": source, "to": target, "value": value}
        _raise_if(weight_problems(self.layer_sizes, edit))
        index = self.model.flat_index(layer, target, source + 1)
        self.model.params[index] = value
        self.trainer.revive(index)
        self._after_edit(index, edit)

    def set_bias(self, layer: int, node: int, value: float) -> None:
        """Set the bias of node `node` of layer `layer`+1 (layer 0 = first hidden layer)."""
        edit = {"layer": layer, "node": node, "value": value}
        _raise_if(bias_problems(self.layer_sizes, edit))
        index = self.model.flat_index(layer, node, 0)
        self.model.params[index] = value
        self._after_edit(index, edit)

    def apply_edit(self, edit: Mapping[str, Any]) -> None:
        """One hand edit as a link (the `load` message) or a lesson lists it: set_bias's fields
        if it names a node, else set_weight's. Raises ConfigError naming what is wrong."""
        _raise_if(edit_problems(self.layer_sizes, edit))
        layer, value = edit.get("layer"), edit.get("value")
        if "node" in edit:
            self.set_bias(layer, edit["node"], value)
        else:
            self.set_weight(layer, edit.get("from"), edit.get("to"), value)

    def _edit_index(self, edit: Mapping[str, Any]) -> int:
        """The flat parameter index of a checked edit."""
        if "node" in edit:
            return self.model.flat_index(edit["layer"], edit["node"], 0)
        return self.model.flat_index(edit["layer"], edit["to"], edit["from"] + 1)

    @property
    def edits(self) -> list[dict[str, Any]]:
        """The weights and biases set by hand since the network was made (reset, or a setting that
        makes a new network, forgets them; training and regenerating keep them), as set_weight /
        set_bias name them, one per parameter, in the parameters' order."""
        return self._edits.as_list()

    def predict(self, xy) -> np.ndarray:
        """Output node values (outputs, n) at points xy (n, 2): tanh/sigmoid/softmax/linear outputs.
        On a table, xy are rows (n, d) of all the table's columns in its own units, and a
        regression's predictions are in the target's units."""
        table = self.table
        if table is None:
            xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
            inputs = design_matrix(xy, tuple(self.config["features"]))
            return self._head.predict(self.model.logits(inputs))
        inputs = self._table_inputs(xy)
        with np.errstate(all="ignore"):
            out = self._head.predict(self.model.logits(inputs))
        return table.to_units(out) if table.problem == "regression" else out

    def _table_inputs(self, rows: Any) -> np.ndarray:
        """Rows of a table in its own units (n, d), checked, as the network's inputs (1 + inputs, n)."""
        table = self.table
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        d = len(table.columns)
        if rows.ndim != 2 or rows.shape[1] != d or not np.all(np.isfinite(rows)):
            raise TableError([("inputs", f"must be rows of {d} finite numbers, one per column of {self.config['dataset']}")])
        standardized = table.standardized(rows, self.config["inputs"])
        return np.vstack([np.ones(len(rows)), standardized.T])

    @property
    def table(self) -> Table | None:
        """The run's table (engine/tables.py), or None when its data is points of the plane."""
        return table_of(self.config["dataset"], self._own_table)

    def grids(self, order: str = "rows", every_map: bool = False) -> Grids:
        """Output map and every hidden neuron's map over the 100 × 100 grid, as bytes.

        order "blocks" evaluates the plane thumbnail block by block: thumbnails then cost almost
        nothing, the full maps a reordering (what a frame needs: the output and thumbnails).
        every_map: make every neuron's bytes during the pass (when all of them will be read).
        """
        if self._grids is None:
            raise ValueError(f"grids: {self.config['dataset']} is a table, not points of the plane")
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's huge weights in float32
            return self._grids.evaluate(order, every_map)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Nodes per layer, the inputs first and the output last: (inputs, *network_shape, outputs)."""
        return self.model.layout.sizes

    # -- building -----------------------------------------------------------------------------

    def _data_steps(self) -> Steps[None]:
        c = self.config
        self._source = SeedRandom(c["seed"])
        if c["dataset"] in REAL:  # read the first time in the background (a few ms a step meanwhile)
            yield from load_in_steps(c["dataset"])
        table = self.table
        if c["dataset"] == CUSTOM:  # your own points; the seed draws only the weights
            self._data = self._custom
        elif table is not None:  # a table's rows, as the network sees them (all columns)
            self._data = Dataset(table.train_x, table.labels(table.train_y), table.test_x, table.labels(table.test_y))
        else:
            self._data = yield from generate_in_steps(self._source, c["problem"], c["dataset"], cfg.num_points(c),
                                                      c["noise"], c["train_ratio"], c["num_classes"], c["gate"])
        self._after_data = self._source.state()

    def _make_network(self, fresh: bool) -> None:
        finish(self._network_steps(fresh))

    def _network_steps(self, fresh: bool) -> Steps[None]:
        """fresh: weights as a new page load with these settings would draw them (from the stream
        right after the data); otherwise the stream's next weights, as the reset button does."""
        c = self.config
        if fresh:
            self._source.restore(self._after_data)
        self._head = head_for(c)
        table = self.table
        inputs = len(c["features"]) if table is None else len(c["inputs"] or table.columns)
        self.model = Model(inputs, c["network_shape"], c["activation"], self._head)
        self.model.params[...] = yield from initial_parameters_in_steps(self.model.layout, self._source,
                                                                        c["init"] == "zeros", c["init"] == "glorot")
        yield
        self._grids = None if table is not None else GridEvaluator(self.model, tuple(c["features"]), view=view_of(c["dataset"]))
        self._epoch, self._diverged = 0, False
        self._stalled, self._stall_checked = None, 0
        self._check_losses: list[float] = []  # the training loss at the last stall checks
        self._edits.clear()
        yield from self._trainer_steps()
        with np.errstate(all="ignore"):
            self._metrics = self._evaluate() or (0.0, 0.0, None, None)
        self._loss_before = self._metrics[1]

    def _trainer_steps(self) -> Steps[None]:
        """Inputs for the current features and data, and a trainer over them."""
        c = self.config
        features, table = tuple(c["features"]), self.table
        if table is None:
            self._train_inputs = design_matrix(self._data.train_xy, features)
            # Training and test points in one matrix: one forward pass scores both.
            inputs = design_matrix(np.concatenate([self._data.train_xy, self._data.test_xy]), features)
        else:  # shared by every run on a shipped table (read only)
            self._train_inputs, inputs = design(table, "train", c["inputs"]), design(table, "all", c["inputs"])
        layout = self.model.layout
        buffer = layout.activation_buffer(inputs.shape[1])
        self._eval_pass = forward_ops(layout, self.model.weights, self.model.activation, inputs, buffer,
                                      np.empty((max(layout.sizes[1:]), inputs.shape[1])))
        self._eval_z = buffer[layout.out_rows(layout.num_layers - 1)]
        self._eval_train = buffer[:, :len(self._data.train_xy)]  # the training points' columns
        settings = Settings(
            learning_rate=c["learning_rate"], optimizer=c["optimizer"], momentum=c["momentum"],
            regularization=None if c["regularization"] == "none" else c["regularization"],
            regularization_rate=c["regularization_rate"], batch_size=c["batch_size"], batching=c["batching"])
        shuffle = np.random.default_rng(_seed_number(c["seed"])) if c["batching"] == "standard" else None
        self._train_y = self._labels(self._data.train_labels)
        self._eval_y = np.concatenate([self._train_y, self._labels(self._data.test_labels)])
        self._confusion = (None if c["problem"] == "regression"
                           else Confusion(self._head, self._eval_y, len(self._train_y)))
        regularized = c["regularization"] != "none" and c["regularization_rate"] > 0
        self._penalty_buffer = np.empty(self.model.layout.size) if regularized else None  # (None: 0)
        targets = self._head.targets(self._train_y)
        yield
        old = getattr(self, "trainer", None)
        self.trainer = yield from Trainer.in_steps(self.model.layout, self.model.activation, self._head,
                                                   self.model.params, self._train_inputs, targets, settings, shuffle)
        if old is not None:
            old.release()

    def _labels(self, labels: np.ndarray) -> np.ndarray:
        """Dataset labels (±1 for binary sets) in the head's own domain (0/1 for a sigmoid)."""
        return (labels > 0).astype(np.float64) if self._head.name == "sigmoid" else labels

    def _evaluate(self) -> tuple[Any, ...] | None:
        """(train loss, test loss, train accuracy, test accuracy, the other metrics' values), or
        None if anything is not finite."""
        # math.isfinite, not np.isfinite: on a scalar NumPy's costs a microsecond (an array each).
        if not math.isfinite(np.add.reduce(self.model.params)):
            return None
        for op in self._eval_pass:
            op()
        split, table = len(self._train_y), self.table
        losses = self._head.losses(self._eval_z, self._eval_y)
        train_loss, test_loss = mean(losses[:split], 0.0), mean(losses[split:], 0.0)
        if not (math.isfinite(train_loss) and math.isfinite(test_loss)):
            return None
        if self._confusion is None:
            scores = (train_loss, test_loss, None, None)
            r2, rmse = regression_scores(self._eval_z[0, split:], self._eval_y[split:])
            # A table's target is standardized: its RMSE in the table's units.
            extra = {"r2": r2, "rmse": rmse if table is None or rmse is None else rmse * table.target_scale}
        else:  # both confusion matrices in three calls; the accuracies are their diagonals
            matrices = self._confusion.matrices(self._eval_z)
            scores = (train_loss, test_loss, *self._confusion.accuracies(matrices))
            extra = {"confusion": matrices[1]}
        if self._penalty_buffer is not None:
            extra["penalty"] = self._penalty()
        if self.config["dataset"] == "logic":
            extra["truth_table"] = self.truth_table()
        if table is not None:  # the test rows the page shows (Table.describe's sample)
            extra["sample_predictions"] = self._sample_predictions(table, split)
        return (*scores, extra)

    def _sample_predictions(self, table: Table, split: int) -> list[float | int]:
        """What the network makes of the first test rows: the class, the output, or the target."""
        z = self._eval_z[:, split:split + table.sample_rows]
        if table.problem == "multiclass":
            return np.argmax(z, axis=0).tolist()
        out = self._head.predict(z)[0]
        return (table.to_units(out) if table.problem == "regression" else out).tolist()

    def _penalty(self) -> float:
        """rate · Σ ½w² (L2) or rate · Σ |w| (L1) over the weights (not the biases): what each
        update's decay is the gradient of (the playground's regularization)."""
        kind, rate = self.config["regularization"], self.config["regularization_rate"]
        weights = np.multiply(self.model.params, self.trainer.weight_mask, out=self._penalty_buffer)
        if kind == "L2":
            return rate * 0.5 * float(np.dot(weights, weights))
        return rate * float(np.add.reduce(np.abs(weights, out=weights)))

    def _check_stall(self) -> None:
        """Whether a layer has stalled training (only once it has trained: a new network has not)."""
        self._stall_checked = self._epoch
        if self._epoch:
            c = self.config
            steps = typical_steps(self.trainer.gradient_sizes(), c["optimizer"], c["learning_rate"], c["momentum"])
            self._stalled = find_stall(self.model.layout, c["activation"], self._head.name,
                                       self._eval_train, self._metrics[0], steps, self._check_losses)

    def _after_edit(self, index: int, edit: dict[str, Any]) -> None:
        self._edits.add(index, _clean_edit(edit))
        self._check_losses = []  # a new network, as far as progress goes
        with np.errstate(all="ignore"):
            evaluated = self._evaluate()
        if evaluated is not None:
            self._metrics = evaluated
            self._check_stall()  # a hand-set weight can revive a layer, or saturate one


def _clean_edit(edit: Mapping[str, Any]) -> dict[str, Any]:
    return {k: float(v) if k == "value" else int(v) for k, v in edit.items()}


def _seed_number(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "little")


def _raise_if(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise cfg.ConfigError(problems)

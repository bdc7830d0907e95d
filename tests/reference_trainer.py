"""Independent reference implementation of replay files (docs/replay-format.md).

Deliberately plain Python (standard library ``math`` only, no NumPy, nothing from ``engine/``):
one point at a time, one link at a time, following docs/replay-format.md line by line, so that it
can check the NumPy engine without sharing any of its code or its mistakes.

Usage:
    python tests/reference_trainer.py FILE.json           # print what the reference computes
    python tests/reference_trainer.py --check FILE.json   # compare with the file's expected values
"""

import json
import math
import sys

# ---------------------------------------------------------------------------------------------
# Input features (playground keys), computed from a point (x1, x2).

FEATURES = {
    "x": lambda x1, x2: x1,
    "y": lambda x1, x2: x2,
    "xSquared": lambda x1, x2: x1 * x1,
    "ySquared": lambda x1, x2: x2 * x2,
    "xTimesY": lambda x1, x2: x1 * x2,
    "sinX": lambda x1, x2: math.sin(x1),
    "sinY": lambda x1, x2: math.sin(x2),
}


def features_of(point, names):
    x1, x2 = point
    return [FEATURES[name](x1, x2) for name in names]


# ---------------------------------------------------------------------------------------------
# Activations: each is (f(z), f'(z)), both written as functions of the pre-activation z.


def sigmoid(z):
    # Two branches so that neither exp overflows.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _tanh(z):
    return math.tanh(z)


def _tanh_der(z):
    t = math.tanh(z)
    return 1.0 - t * t


def _relu(z):
    return z if z > 0 else 0.0


def _relu_der(z):
    return 1.0 if z > 0 else 0.0


def _sigmoid_der(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def _leaky_relu(z):
    return z if z > 0 else 0.01 * z


def _leaky_relu_der(z):
    return 1.0 if z > 0 else 0.01


def _elu(z):
    return z if z > 0 else math.exp(z) - 1.0


def _elu_der(z):
    return 1.0 if z > 0 else math.exp(z)


def _swish(z):
    return z * sigmoid(z)


def _swish_der(z):
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


ACTIVATIONS = {
    "tanh": (_tanh, _tanh_der),
    "relu": (_relu, _relu_der),
    "sigmoid": (sigmoid, _sigmoid_der),
    "linear": (lambda z: z, lambda z: 1.0),
    "leaky_relu": (_leaky_relu, _leaky_relu_der),
    "elu": (_elu, _elu_der),
    "swish": (_swish, _swish_der),
    "sin": (math.sin, math.cos),
}

# Output activation + loss pairs this reference knows.
OUTPUT_LOSS_PAIRS = {
    ("tanh", "half_square"),
    ("linear", "half_square"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "softmax_cross_entropy"),
}


# ---------------------------------------------------------------------------------------------
# The network: plain nested lists.


class Network:
    """weights[l][j][i]: node i of layer l -> node j of layer l+1; biases[l][j]; dead[l][j][i]."""

    def __init__(self, config, weights, biases):
        self.features = list(config["features"])
        self.activation = config["activation"]
        self.output = config["output"]
        self.loss = config["loss"]
        self.num_outputs = int(config["num_classes"])
        if self.activation not in ACTIVATIONS:
            raise ValueError("unknown activation %r" % self.activation)
        if (self.output, self.loss) not in OUTPUT_LOSS_PAIRS:
            raise ValueError("unsupported output/loss pair %r/%r" % (self.output, self.loss))
        self.sizes = [len(self.features)] + list(config["network_shape"]) + [self.num_outputs]
        self.weights = [[[float(w) for w in row] for row in layer] for layer in weights]
        self.biases = [[float(b) for b in layer] for layer in biases]
        self._check_shapes()
        self.dead = [[[False for _ in row] for row in layer] for layer in self.weights]

    def _check_shapes(self):
        if len(self.weights) != len(self.sizes) - 1 or len(self.biases) != len(self.sizes) - 1:
            raise ValueError("initial weights/biases do not match the network shape")
        for l in range(len(self.sizes) - 1):
            if len(self.weights[l]) != self.sizes[l + 1] or len(self.biases[l]) != self.sizes[l + 1]:
                raise ValueError("layer %d has the wrong number of nodes" % (l + 1))
            for row in self.weights[l]:
                if len(row) != self.sizes[l]:
                    raise ValueError("layer %d weight row has the wrong length" % (l + 1))

    @property
    def num_layers(self):
        """Number of weight layers (hidden layers + 1)."""
        return len(self.sizes) - 1

    # -- forward ------------------------------------------------------------------------------

    def forward(self, point):
        """Return (a, z): a[l] = outputs of layer l (a[0] = features), z[l] = pre-activations
        of layer l (z[0] unused). The last a is the network output (probabilities for softmax)."""
        a = [features_of(point, self.features)]
        z = [None]
        last = self.num_layers - 1
        for l in range(self.num_layers):
            zs = []
            for j in range(self.sizes[l + 1]):
                total = self.biases[l][j]
                for i in range(self.sizes[l]):
                    if self.dead[l][j][i]:
                        continue  # a dead link passes no signal
                    total += self.weights[l][j][i] * a[l][i]
                zs.append(total)
            z.append(zs)
            if l < last:
                f = ACTIVATIONS[self.activation][0]
                a.append([f(v) for v in zs])
            else:
                a.append(self.output_activation(zs))
        return a, z

    def output_activation(self, zs):
        if self.output == "softmax":
            m = max(zs)
            exps = [math.exp(v - m) for v in zs]
            s = sum(exps)
            return [e / s for e in exps]
        if self.output == "tanh":
            return [math.tanh(v) for v in zs]
        if self.output == "linear":
            return list(zs)
        if self.output == "sigmoid":
            return [sigmoid(v) for v in zs]
        raise ValueError("unknown output %r" % self.output)

    # -- loss and its derivative w.r.t. the output pre-activations -------------------------------

    def targets(self, label):
        """half_square targets: the label itself for one output, one-hot ±1 for several."""
        if self.num_outputs == 1:
            return [float(label)]
        k = int(label)
        return [1.0 if c == k else -1.0 for c in range(self.num_outputs)]

    def point_loss(self, out, zout, label):
        if self.loss == "half_square":
            t = self.targets(label)
            return 0.5 * sum((out[k] - t[k]) ** 2 for k in range(self.num_outputs))
        if self.loss == "cross_entropy":
            # -[y log p + (1-y) log(1-p)] with p = sigmoid(z), written stably from the logit.
            zz, y = zout[0], float(label)
            return max(zz, 0.0) - zz * y + math.log1p(math.exp(-abs(zz)))
        if self.loss == "softmax_cross_entropy":
            m = max(zout)
            lse = m + math.log(sum(math.exp(v - m) for v in zout))
            return lse - zout[int(label)]
        raise ValueError("unknown loss %r" % self.loss)

    def output_deltas(self, out, zout, label):
        """dL/dz for each output node, for one point."""
        if self.loss == "half_square":
            t = self.targets(label)
            if self.output == "tanh":
                return [(out[k] - t[k]) * (1.0 - out[k] * out[k]) for k in range(self.num_outputs)]
            return [(out[k] - t[k]) for k in range(self.num_outputs)]  # linear
        if self.loss == "cross_entropy":
            return [out[0] - float(label)]  # sigmoid(z) - y
        if self.loss == "softmax_cross_entropy":
            k = int(label)
            return [out[c] - (1.0 if c == k else 0.0) for c in range(self.num_outputs)]
        raise ValueError("unknown loss %r" % self.loss)

    def mean_loss(self, points, labels):
        total = 0.0
        for point, label in zip(points, labels):
            a, z = self.forward(point)
            total += self.point_loss(a[-1], z[-1], label)
        return total / len(points)

    # -- backward -------------------------------------------------------------------------------

    def backprop_into(self, point, label, acc_w, acc_b):
        """Add this point's dL/dW and dL/db to the accumulators (dead links get nothing)."""
        a, z = self.forward(point)
        delta = self.output_deltas(a[-1], z[-1], label)
        act_der = ACTIVATIONS[self.activation][1]
        for l in range(self.num_layers - 1, -1, -1):
            for j in range(self.sizes[l + 1]):
                acc_b[l][j] += delta[j]
                for i in range(self.sizes[l]):
                    if not self.dead[l][j][i]:
                        acc_w[l][j][i] += delta[j] * a[l][i]
            if l == 0:
                break
            prev = []
            for i in range(self.sizes[l]):
                s = 0.0
                for j in range(self.sizes[l + 1]):
                    if not self.dead[l][j][i]:
                        s += self.weights[l][j][i] * delta[j]
                prev.append(s * act_der(z[l][i]))
            delta = prev


# ---------------------------------------------------------------------------------------------
# Optimizers: one scalar state per weight and per bias.


class Optimizer:
    def __init__(self, config, net):
        self.kind = config["optimizer"]
        self.lr = float(config["learning_rate"])
        if self.kind not in ("sgd", "momentum", "adam"):
            raise ValueError("unknown optimizer %r" % self.kind)
        if self.kind == "momentum":
            self.mu = float(config["momentum"])
        if self.kind == "adam":
            adam = config["adam"]
            self.beta1 = float(adam["beta1"])
            self.beta2 = float(adam["beta2"])
            self.eps = float(adam["eps"])
        self.t = 0
        zeros_w = lambda: [[[0.0 for _ in row] for row in layer] for layer in net.weights]
        zeros_b = lambda: [[0.0 for _ in layer] for layer in net.biases]
        self.v_w, self.v_b = zeros_w(), zeros_b()  # momentum velocity / adam second moment
        self.m_w, self.m_b = zeros_w(), zeros_b()  # adam first moment

    def begin_step(self):
        self.t += 1

    def step(self, w, g, m_store, v_store, idx):
        """Return the new value of parameter w with gradient g; state lives at store[idx]."""
        if self.kind == "sgd":
            return w - self.lr * g
        if self.kind == "momentum":
            v = self.mu * _get(v_store, idx) + g
            _set(v_store, idx, v)
            return w - self.lr * v
        m = self.beta1 * _get(m_store, idx) + (1.0 - self.beta1) * g
        v = self.beta2 * _get(v_store, idx) + (1.0 - self.beta2) * g * g
        _set(m_store, idx, m)
        _set(v_store, idx, v)
        m_hat = m / (1.0 - self.beta1 ** self.t)
        v_hat = v / (1.0 - self.beta2 ** self.t)
        return w - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


def _get(store, idx):
    for k in idx[:-1]:
        store = store[k]
    return store[idx[-1]]


def _set(store, idx, value):
    for k in idx[:-1]:
        store = store[k]
    store[idx[-1]] = value


def _sign(w):
    return 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)


# ---------------------------------------------------------------------------------------------
# Training.


class Trainer:
    def __init__(self, replay):
        config = replay["config"]
        self.config = config
        self.net = Network(config, replay["initial"]["weights"], replay["initial"]["biases"])
        self.opt = Optimizer(config, self.net)
        self.batch_size = int(config["batch_size"])
        self.batching = config.get("batching", "playground")
        if self.batching not in ("playground", "standard"):
            raise ValueError("unknown batching %r" % self.batching)
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        reg = config.get("regularization")
        self.reg = None if reg in (None, "none", "None") else reg
        if self.reg not in (None, "L1", "L2"):
            raise ValueError("unknown regularization %r" % reg)
        self.reg_rate = float(config.get("regularization_rate") or 0.0)
        self.train_points = replay["train"]["points"]
        self.train_labels = replay["train"]["labels"]
        self._reset_accumulators()

    def _reset_accumulators(self):
        net = self.net
        self.acc_w = [[[0.0 for _ in row] for row in layer] for layer in net.weights]
        self.acc_b = [[0.0 for _ in layer] for layer in net.biases]
        self.acc_n = 0

    def accumulate(self, point, label):
        self.net.backprop_into(point, label, self.acc_w, self.acc_b)
        self.acc_n += 1

    def update(self):
        """Apply the mean of the accumulated gradients, then the regularization decay."""
        net, opt, n = self.net, self.opt, self.acc_n
        lr = opt.lr
        opt.begin_step()
        for l in range(net.num_layers):
            for j in range(net.sizes[l + 1]):
                g = self.acc_b[l][j] / n
                net.biases[l][j] = opt.step(net.biases[l][j], g, opt.m_b, opt.v_b, (l, j))
                for i in range(net.sizes[l]):
                    if net.dead[l][j][i]:
                        continue  # dead: stays 0, no updates
                    w0 = net.weights[l][j][i]
                    g = self.acc_w[l][j][i] / n
                    w1 = opt.step(w0, g, opt.m_w, opt.v_w, (l, j, i))
                    if self.reg == "L2":
                        w2 = w1 - lr * self.reg_rate * w0
                    elif self.reg == "L1":
                        w2 = w1 - lr * self.reg_rate * _sign(w0)
                        if w1 * w2 < 0:
                            net.weights[l][j][i] = 0.0
                            net.dead[l][j][i] = True
                            continue
                    else:
                        w2 = w1
                    net.weights[l][j][i] = w2
        self._reset_accumulators()

    def train_epoch(self):
        points, labels, bs = self.train_points, self.train_labels, self.batch_size
        if self.batching == "playground":
            # As playground.ts oneStep: i counted afresh every epoch; leftovers stay accumulated.
            for i in range(len(points)):
                self.accumulate(points[i], labels[i])
                if (i + 1) % bs == 0:
                    self.update()
        else:
            for start in range(0, len(points), bs):
                for i in range(start, min(start + bs, len(points))):
                    self.accumulate(points[i], labels[i])
                self.update()  # the smaller last chunk is its own update


def run_replay(replay):
    """Train as the replay file says; return the dict the replay command prints."""
    epochs = [int(e) for e in replay["expected"]["epochs"]]
    if epochs != sorted(epochs) or (epochs and epochs[0] < 0):
        raise ValueError("expected.epochs must be non-negative and increasing")
    trainer = Trainer(replay)
    net = trainer.net
    train, test = replay["train"], replay["test"]
    result = {"epochs": epochs, "train_loss": [], "test_loss": []}
    done = 0
    for target in epochs:
        while done < target:
            trainer.train_epoch()
            done += 1
        result["train_loss"].append(net.mean_loss(train["points"], train["labels"]))
        result["test_loss"].append(net.mean_loss(test["points"], test["labels"]))
    result["final_weights"] = [[list(row) for row in layer] for layer in net.weights]
    result["final_biases"] = [list(layer) for layer in net.biases]
    return result


# ---------------------------------------------------------------------------------------------
# Comparison helpers (also used by make_replays.py).


def flatten(value, prefix=""):
    """Yield (path, number) for every number in a nested list."""
    if isinstance(value, list):
        for k, v in enumerate(value):
            yield from flatten(v, "%s[%d]" % (prefix, k))
    else:
        yield prefix, float(value)


def compare(expected, got, tol):
    """Return a list of 'field[index]: expected X, got Y' strings where they differ by > tol."""
    problems = []
    for field in ("train_loss", "test_loss", "final_weights", "final_biases"):
        exp = list(flatten(expected[field], field))
        res = list(flatten(got[field], field))
        if [p for p, _ in exp] != [p for p, _ in res]:
            problems.append("%s: shape differs" % field)
            continue
        for (path, e), (_, r) in zip(exp, res):
            if not (abs(e - r) <= tol):
                problems.append("%s: expected %r, got %r (diff %.3g)" % (path, e, r, abs(e - r)))
    return problems


def main(argv):
    check = "--check" in argv
    files = [a for a in argv if a != "--check"]
    if not files:
        print(__doc__)
        return 2
    status = 0
    for path in files:
        with open(path) as f:
            replay = json.load(f)
        result = run_replay(replay)
        if not check:
            json.dump(result, sys.stdout)
            sys.stdout.write("\n")
            continue
        problems = compare(replay["expected"], result, 1e-9)
        worst = max(
            abs(e - r)
            for field in ("train_loss", "test_loss", "final_weights", "final_biases")
            for (_, e), (_, r) in zip(flatten(replay["expected"][field]), flatten(result[field]))
        )
        print("%s: %s (max abs diff %.3g)" % (path, "OK" if not problems else "DIFFERS", worst))
        for p in problems[:10]:
            print("   ", p)
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

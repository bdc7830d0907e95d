"""Writes the notebooks in this folder from the cell lists below, so that they stay reviewable
and can be made again: `python notebooks/build.py` rewrites every .ipynb, `--check` only says
(exit status 1) which ones differ from what this file makes. Edit the cells here, never the
.ipynb files, and commit both. The notebooks are committed without outputs; cell ids are fixed
(the notebook's name and the cell's number), so building twice gives the same files.
tests/test_notebooks.py checks they are up to date and runs each one from top to bottom.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import textwrap

import nbformat

HERE = pathlib.Path(__file__).resolve().parent


def md(text: str) -> tuple[str, str]:
    return "markdown", textwrap.dedent(text).strip()


def code(text: str) -> tuple[str, str]:
    return "code", textwrap.dedent(text).strip()


SETUP = md("""
    The notebook needs the project installed (`pip install -e '.[notebooks]'` in a checkout: the
    engine, matplotlib and a Jupyter kernel). Run it from top to bottom; each cell explains the
    next step. Training is seeded, so you get the numbers written here.""")

HOUSE_PRICES = [
    md("""
        # House prices: a network that predicts a number

        546 houses sold in Windsor, Canada, in 1987, each with its price in Canadian dollars and
        eleven facts about it: the lot's size, bedrooms, bathrooms, stories, whether it has a
        driveway, a recreation room, a full basement, gas heating, air conditioning, how many
        garage places, and whether it is in a preferred neighbourhood. This is **regression**:
        the network's output is a number, the price, not a class."""),
    SETUP,
    code("""
        import numpy as np
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter

        from engine import Run
        from engine.tables import real_table

        table = real_table("house-prices")
        print(table.title, "-", table.source)
        print("target:", table.target, f"({table.units})")
        for name, unit in zip(table.columns, table.column_units):
            print(f"  {name:11} {unit}")
        print(len(table.train_x), "training houses,", len(table.test_x), "test houses:", table.split)"""),
    md("""
        Every row is one house: its eleven inputs in the table's own units (square feet, counts,
        1 for yes and 0 for no) and its price. Here are the first five training houses."""),
    code("""
        print(" ".join(f"{name[:9]:>9}" for name in table.columns), f"{'price':>9}")
        for row, price in zip(table.train_x[:5], table.train_y[:5]):
            print(" ".join(f"{value:9.0f}" for value in row), f"{price:9,.0f}")"""),
    md("""
        ## Train the network

        `Run({"dataset": "house-prices"})` brings the table's own settings: one hidden layer of
        8 ReLU units, the Adam optimizer, mini-batches of 16 and a little L2 regularization. The
        network never sees the raw numbers: each input column is standardized with the training
        houses' mean and spread (a lot of 5,000 sq ft and a count of 3 bedrooms both become
        numbers near 0), and so is the price. The loss is half the squared error of that
        standardized price; predictions come back in CAD.

        One `step(1)` is one epoch, a pass over all 437 training houses. We keep the metrics of
        every epoch to draw the loss curve."""),
    code("""
        run = Run({"dataset": "house-prices"})
        settings = ("network_shape", "activation", "optimizer", "learning_rate", "batch_size",
                    "regularization", "regularization_rate")
        print({key: run.config[key] for key in settings})

        history = [run.step(1) for _ in range(200)]
        epochs = [m.epoch for m in history]
        plt.figure(figsize=(6, 3.5))
        plt.plot(epochs, [m.train_loss for m in history], label="training loss")
        plt.plot(epochs, [m.test_loss for m in history], label="test loss")
        plt.xlabel("epoch")
        plt.ylabel("½ (error / price spread)²")
        plt.yscale("log")
        plt.legend()
        plt.title("Loss while training")
        plt.show()"""),
    md("""
        Both losses fall quickly in the first epochs. After about 50 the test loss hardly moves
        while the training loss goes on falling: the network has seen the training houses, never
        the test ones, and what it learns now fits those houses only.

        ## Predicted against actual prices

        `run.predict(rows)` takes rows of all eleven columns in the table's units and answers
        with the predicted price of each, in CAD. A perfect model would put every test house on
        the diagonal."""),
    code("""
        predicted = run.predict(table.test_x)[0]
        actual = table.test_y
        cad = FuncFormatter(lambda value, _: f"{value / 1000:,.0f}k")

        fig, ax = plt.subplots(figsize=(5, 5))
        ax.scatter(actual, predicted, s=14, alpha=0.7)
        low, high = 0, max(actual.max(), predicted.max()) * 1.05
        ax.plot([low, high], [low, high], color="grey", linewidth=1, label="predicted = actual")
        ax.set(xlim=(low, high), ylim=(low, high), xlabel="actual price (CAD)", ylabel="predicted price (CAD)",
               title="The 109 test houses")
        ax.xaxis.set_major_formatter(cad)
        ax.yaxis.set_major_formatter(cad)
        ax.legend()
        plt.show()"""),
    md("""
        The cloud follows the diagonal, loosely; the dearest houses come out too low, the
        cheapest too high: a model that is unsure keeps its guesses near the middle.

        ## How good is that? RMSE and R²

        The **RMSE** (root of the mean squared error) is a typical error, in CAD. On its own it
        says little: compare it with the simplest model there is, one that ignores the inputs and
        predicts the mean training price for every house. **R²** makes that comparison a number:
        R² = 1 − (squared errors of the model) / (squared errors of predicting the test mean). 1 is
        perfect, 0 is no better than the mean. The engine reports both for the test set
        (`run.metrics.rmse`, `run.metrics.r2`); we compute them again by hand."""),
    code("""
        def rmse(predicted, actual):
            return float(np.sqrt(np.mean((predicted - actual) ** 2)))

        def r_squared(predicted, actual):
            return float(1 - np.sum((predicted - actual) ** 2) / np.sum((actual - actual.mean()) ** 2))

        mean_price = table.train_y.mean()
        guess = np.full_like(actual, mean_price)
        print(f"network [8] relu:             RMSE {rmse(predicted, actual):7,.0f} CAD, R² {r_squared(predicted, actual):.3f}")
        print(f"the mean ({mean_price:,.0f} CAD) for all: RMSE {rmse(guess, actual):7,.0f} CAD, R² {r_squared(guess, actual):.3f}")
        print(f"the engine's metrics:         RMSE {run.metrics.rmse:7,.0f} CAD, R² {run.metrics.r2:.3f}")"""),
    md("""
        The network's typical error is about 16,500 CAD, against 22,900 for the mean: it explains
        about half of what makes prices differ (R² near 0.5). The mean's R² is a little below 0
        because it is the training houses' mean, not the test houses'.

        ## A linear model

        `network_shape: []` means no hidden layer: the output is w · x + b, one weight per
        column. That is linear regression, trained by the same gradient descent."""),
    code("""
        linear = Run({"dataset": "house-prices", "network_shape": []})
        linear.step(200)
        line = linear.predict(table.test_x)[0]
        print(f"linear model:     RMSE {linear.metrics.rmse:7,.0f} CAD, R² {linear.metrics.r2:.3f}")
        print(f"network [8] relu: RMSE {run.metrics.rmse:7,.0f} CAD, R² {run.metrics.r2:.3f}")"""),
    md("""
        The linear model does better here. 437 houses are few, and the prices are close to a sum
        of what each fact adds: the network's extra freedom fits the training houses' noise more
        than a real pattern. A linear model has another advantage: its weights can be read. The
        network sees standardized columns, so a weight says how much the price moves when its
        column moves by one spread; divided by the column's spread (`table.scale`) and multiplied
        by the price's (`table.target_scale`), it is CAD per unit of the column."""),
    code("""
        weights = linear.weights()[0][0]
        per_unit = weights * table.target_scale / table.scale
        what = {"sq ft": "per sq ft of lot", "yes = 1": "for a yes", "cars": "per garage place", "": "per one more"}
        for name, unit, value in sorted(zip(table.columns, table.column_units, per_unit), key=lambda t: -abs(t[2])):
            print(f"{name:11} {value:+10,.0f} CAD {what[unit]}")"""),
    md("""
        A bathroom adds far more than a bedroom; gas heating, air conditioning and a preferred
        neighbourhood add over 10,000 CAD each; a square foot of lot adds a few dollars, which
        over a lot of several thousand square feet is a lot of money. Each weight says what its
        column adds with the others unchanged.

        ## Your turn

        - Train the network for 1,000 epochs instead of 200. Does the test RMSE go down, or only
          the training loss?
        - Give the network more L2 (`"regularization_rate": 0.1`) or fewer inputs (`"inputs":
          ["lotsize", "bathrooms", "aircon"]`). What happens to R²?
        - Price a house of your own: `run.predict([[6000, 3, 2, 2, 1, 0, 1, 0, 1, 1, 0]])`."""),
    code("""
        house = [6000, 3, 2, 2, 1, 0, 1, 0, 1, 1, 0]
        print(f"network: {run.predict([house])[0, 0]:,.0f} CAD, linear model: {linear.predict([house])[0, 0]:,.0f} CAD")"""),
]

DIGITS = [
    md("""
        # Handwritten digits: softmax over ten classes

        5,000 handwritten digits from MNIST, 28 × 28 pixels each (784 inputs, 0 for white paper
        up to 255 for ink), 500 of each digit. The network's output layer has ten units, one per
        digit, and a **softmax** turns them into ten probabilities that add up to 1; the
        prediction is the most probable digit."""),
    SETUP,
    code("""
        import numpy as np
        import matplotlib.pyplot as plt

        from engine import Run
        from engine.tables import real_table

        table = real_table("mnist")
        print(table.title, "-", table.source)
        print(table.train_x.shape, "training rows,", table.test_x.shape, "test rows")
        print("split:", table.split)

        fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
        for digit, ax in enumerate(axes):
            row = np.flatnonzero(table.train_y == digit)[0]
            ax.imshow(table.train_x[row].reshape(table.image), cmap="gray_r")
            ax.set_title(table.classes[digit])
            ax.axis("off")
        plt.show()"""),
    md("""
        Each picture is one row of 784 numbers, its pixels row by row: the network does not know
        they form an image. It sees them standardized with one mean and spread over all pixels
        of the training images (so a picture stays a picture).

        ## Train

        `Run({"dataset": "mnist"})` brings the table's own settings: one hidden layer of 32 ReLU
        units, softmax with cross-entropy, Adam with a learning rate of 0.001, shuffled
        mini-batches of 32, and Glorot initialization. An epoch (4,000 images) takes a fraction
        of a second."""),
    code("""
        run = Run({"dataset": "mnist"})
        settings = ("network_shape", "activation", "loss", "optimizer", "learning_rate", "batch_size", "init")
        print({key: run.config[key] for key in settings})
        print("before training: test accuracy", run.metrics.test_accuracy)

        start = run.weights()[0]  # the starting weights, for later (weights() gives copies)
        history = [run.step(1) for _ in range(15)]
        epochs = [m.epoch for m in history]
        plt.figure(figsize=(6, 3.5))
        plt.plot(epochs, [m.train_accuracy for m in history], marker="o", label="training")
        plt.plot(epochs, [m.test_accuracy for m in history], marker="o", label="test")
        plt.xlabel("epoch")
        plt.ylabel("accuracy")
        plt.legend()
        plt.title("Accuracy while training")
        plt.show()
        print(f"test accuracy after {run.epoch} epochs: {run.metrics.test_accuracy:.3f}")"""),
    md("""
        Before training the network guesses (about one in ten right). After one epoch it gets
        about nine test digits in ten. Then the training accuracy climbs towards 1 while the test
        accuracy levels off near 0.93: the network starts learning the training images by heart.

        ## The confusion matrix

        Row *i*, column *j* counts the test images of digit *i* the network calls *j*
        (`run.metrics.confusion`): the diagonal is right, everything else is a mistake, and
        shows which digits look alike to the network."""),
    code("""
        confusion = np.array(run.metrics.confusion)
        fig, ax = plt.subplots(figsize=(5.5, 5))
        ax.imshow(confusion, cmap="Blues")
        for i in range(10):
            for j in range(10):
                ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=8,
                        color="white" if confusion[i, j] > confusion.max() / 2 else "black")
        ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
               title="Test set: 100 images of each digit")
        plt.show()

        mistakes = confusion - np.diag(np.diag(confusion))
        i, j = np.unravel_index(mistakes.argmax(), mistakes.shape)
        print(f"the most common mistake: a {i} taken for a {j} ({mistakes[i, j]} times)")"""),
    md("""
        ## Test images and what the network says

        `run.predict(rows)` gives the ten probabilities of each row, (10, rows). The first 40
        test images, with the predicted digit above each; a mistake is red, with the true digit
        in brackets."""),
    code("""
        probabilities = run.predict(table.test_x)
        predicted = probabilities.argmax(axis=0)
        truth = table.test_y.astype(int)

        def show(rows, columns=10):
            lines = -(-len(rows) // columns)
            fig, axes = plt.subplots(lines, columns, figsize=(columns, 1.3 * lines))
            for ax in axes.flat:
                ax.axis("off")
            for ax, row in zip(axes.flat, rows):
                ax.imshow(table.test_x[row].reshape(table.image), cmap="gray_r")
                wrong = predicted[row] != truth[row]
                title = f"{predicted[row]} (is {truth[row]})" if wrong else str(predicted[row])
                ax.set_title(title, color="red" if wrong else "black")
            plt.show()

        show(range(40))
        print(f"{np.sum(predicted[:40] != truth[:40])} mistakes in these 40;",
              f"{np.sum(predicted != truth)} in all {len(truth)} test images")"""),
    md("""
        And only mistakes: some are digits a person would misread too, others are not."""),
    code("""
        show(np.flatnonzero(predicted != truth)[:20])"""),
    md("""
        ## What the first layer looks for

        Each of the 32 hidden units computes z = w · x + b over the 784 pixels, so its weight
        vector w (a row of `run.weights()[0]`, 32 × 784) can be drawn as a 28 × 28 picture:
        purple where ink raises the unit's z, orange where ink lowers it, all on one scale.
        Above each, how often the unit is active (a = ReLU(z) > 0) on the test images."""),
    code("""
        W, b = run.weights()[0], run.biases()[0]
        print("first weight matrix:", W.shape)
        z = table.standardized(table.test_x) @ W.T + b  # every test image's z, (1000, 32)
        active = (z > 0).mean(axis=0)

        def draw(weights, title):
            limit = np.percentile(np.abs(weights), 99.5)
            fig, axes = plt.subplots(4, 8, figsize=(8, 4.6))
            for unit, ax in enumerate(axes.flat):
                ax.imshow(weights[unit].reshape(table.image), cmap="PuOr", vmin=-limit, vmax=limit)
                ax.set_title(f"{unit}: {active[unit]:.0%}", fontsize=8, color="red" if active[unit] == 0 else "black")
                ax.axis("off")
            fig.suptitle(title)
            plt.show()

        draw(W, "First layer weights after training")
        print("units never active on a test image:", np.flatnonzero(active == 0))"""),
    md("""
        Mostly speckle: the random start (Glorot's) is still in every weight, about as large as
        what training has added. Subtract it and what training added shows: `W − start`. The
        border, where no digit has ink, changed all alike; in the middle grow strokes and blobs,
        parts of digits. A unit that is never active (in red) is a **dead ReLU**: its z is below
        0 for every image, so no gradient reaches its weights any more, and they hardly change."""),
    code("""
        draw(W - start, "What 15 epochs changed: W − start")"""),
    md("""
        ## One image through the network

        `run.probe_row(row)` is forward propagation for one row, layer by layer, as the course
        writes it: each layer's z and a = g(z). The output layer's a holds the softmax's ten
        probabilities."""),
    code("""
        row = int(np.flatnonzero(predicted != truth)[0])
        probe = run.probe_row(table.test_x[row])
        hidden, output = probe["layers"]
        print(f"test image {row}: the digit {truth[row]}, predicted {predicted[row]};",
              f"{np.sum(hidden['a'] > 0)} of 32 hidden units active (a > 0)")
        fig, (left, right) = plt.subplots(1, 2, figsize=(7, 2.5), width_ratios=(1, 3))
        left.imshow(table.test_x[row].reshape(table.image), cmap="gray_r")
        left.axis("off")
        right.bar(range(10), output["a"])
        right.set(xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="probability")
        plt.show()"""),
    md("""
        ## Your turn

        - Train for 40 epochs: how far does the test accuracy go, and the training accuracy?
        - Try `"network_shape": []` (no hidden layer: softmax regression on the pixels) and
          `[32, 32]` (a layer has at most 32 units).
        - Use fewer pixels: `"inputs": [name for name in table.columns if ...]` takes a list of
          the table's column names (`pixel 14,7` is row 14, column 7)."""),
]

PLAYGROUND = [
    md("""
        # The playground in code

        Everything the playground's page does is a `Run` of the engine: the datasets of the
        plane, the network, training, and the maps. Here we build the spiral network in code,
        draw its decision map with matplotlib, and then train a network on arrays of our own
        that are not points of the plane."""),
    SETUP,
    code("""
        import numpy as np
        import matplotlib.pyplot as plt
        from matplotlib.colors import LinearSegmentedColormap

        from engine import Run
        from engine.datasets import view_of
        from engine.grids import grid_points

        # The playground's colours: orange for -1, near-white for 0, blue for +1.
        PLAYGROUND = LinearSegmentedColormap.from_list("playground", ["#f59322", "#e8eaeb", "#0877bd"])

        run = Run({"dataset": "spiral", "network_shape": [8, 8], "activation": "tanh", "learning_rate": 0.03})
        data = run.data
        print(len(data.train_xy), "training points,", len(data.test_xy), "test points; labels", np.unique(data.train_labels))

        plt.figure(figsize=(4, 4))
        plt.scatter(*data.train_xy.T, c=data.train_labels, cmap=PLAYGROUND, edgecolors="white", linewidths=0.6, s=20)
        plt.gca().set_aspect("equal")
        plt.title("The spiral: training points")
        plt.show()"""),
    md("""
        The same settings as the page, with the same names (docs/protocol.md lists them all):
        two hidden layers of 8 tanh units, the inputs x₁ and x₂, a learning rate of 0.03. The
        seed is the engine's default, `"0.12345"`: the page opened with these settings and
        `seed=0.12345` in its link shows these very points and starting weights.

        ## Train

        `run.step(50)` trains 50 epochs and returns the metrics after them."""),
    code("""
        history = [run.step(50) for _ in range(30)]
        plt.figure(figsize=(6, 3.5))
        plt.plot([m.epoch for m in history], [m.train_loss for m in history], label="training loss")
        plt.plot([m.epoch for m in history], [m.test_loss for m in history], label="test loss")
        plt.xlabel("epoch")
        plt.legend()
        plt.show()
        print(f"spiral after {run.epoch} epochs: test accuracy {run.metrics.test_accuracy:.3f}, test loss {run.metrics.test_loss:.3f}")"""),
    md("""
        ## The decision map

        The page paints the network's output at every point of a 100 × 100 grid over the plane.
        `grid_points(100, view)` gives those points, row by row from the top of the view (y = 6)
        down, and `run.predict(points)` the output at each, as floats: here a tanh, from −1
        (orange) to +1 (blue). The test points are drawn in their class's colour with a white
        ring, as on the page: where the network is right a point blends into the map, where it
        is wrong it stands out."""),
    code("""
        low, high = view_of("spiral")
        points = grid_points(100, (low, high))
        output = run.predict(points)[0].reshape(100, 100)

        def decision_map(ax, output, run, title):
            ax.imshow(output, cmap=PLAYGROUND, vmin=-1, vmax=1, extent=(low, high, low, high))
            ax.scatter(*run.data.test_xy.T, c=run.data.test_labels, cmap=PLAYGROUND, edgecolors="white", linewidths=0.6, s=18)
            ax.set_title(title)

        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        decision_map(ax, output, run, f"Output, epoch {run.epoch}, with the test points")
        plt.show()"""),
    md("""
        `run.grids()` is what the server sends the page: the same maps as bytes, one per cell
        (byte / 127.5 − 1 is the value, snapped to the page's 31 shades), for the output and for
        every hidden neuron. Read them before the next `grids()`: they share a buffer."""),
    code("""
        grids = run.grids()
        from_bytes = grids.output.reshape(100, 100) / 127.5 - 1
        neurons = grids.neurons.reshape(-1, 100, 100) / 127.5 - 1
        print(f"largest difference between the page's map and predict: {np.abs(from_bytes - output).max():.3f}")

        fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
        for index, ax in enumerate(axes.flat):
            ax.imshow(neurons[index], cmap=PLAYGROUND, vmin=-1, vmax=1)
            ax.set_title(f"layer {index // 8 + 1}, unit {index % 8}", fontsize=8)
            ax.axis("off")
        plt.show()"""),
    md("""
        The first layer's units each draw one straight boundary (a tanh of a line in x₁, x₂);
        the second layer bends and combines them into the spiral.

        ## Better inputs

        The playground can also feed the network sin(x₁) and sin(x₂). With them the spiral
        needs fewer epochs: compare the maps after 300 epochs."""),
    code("""
        plain = Run({"dataset": "spiral", "network_shape": [8, 8], "activation": "tanh", "learning_rate": 0.03})
        sines = Run({"dataset": "spiral", "network_shape": [8, 8], "activation": "tanh", "learning_rate": 0.03,
                     "features": ["x", "y", "sinX", "sinY"]})
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
        for ax, other, name in zip(axes, (plain, sines), ("x₁, x₂", "x₁, x₂, sin x₁, sin x₂")):
            other.step(300)
            decision_map(ax, other.predict(points)[0].reshape(100, 100), other,
                         f"{name}: test accuracy {other.metrics.test_accuracy:.2f}")
        plt.show()"""),
    md("""
        ## Forward propagation at one point

        `run.probe(x1, x2)` gives every layer's z and a = g(z) at one point, as the page shows
        them when you click the map."""),
    code("""
        probe = run.probe(1.0, -2.0)
        print("inputs:", probe["inputs"])
        for number, layer in enumerate(probe["layers"], 1):
            print(f"layer {number}: a =", np.round(layer["a"], 3))"""),
    md("""
        ## Your own arrays

        `Run.from_arrays(X, y, problem=...)` trains on any numbers, with as many inputs as you
        like. Here: points in three dimensions, labelled 1 inside a ball of radius 0.9 and 0
        outside. No straight boundary can separate them (in 2-D the playground's circle is the
        same problem). We give our own test rows (`X_test`, `y_test`; without them every fifth
        row is a test row) and names for the columns. The inputs are standardized with the
        training rows' statistics, as for the shipped tables."""),
    code("""
        rng = np.random.default_rng(0)
        def ball(n):
            X = rng.uniform(-1, 1, size=(n, 3))
            return X, (np.sum(X ** 2, axis=1) < 0.81).astype(int)

        X, y = ball(800)
        X_test, y_test = ball(200)
        own = Run.from_arrays(X, y, problem="classification", X_test=X_test, y_test=y_test,
                              columns=["a", "b", "c"],
                              config={"network_shape": [8], "activation": "tanh", "learning_rate": 0.03})
        print(own.table.columns, own.table.train_x.shape, "labels as the network trains on them:", np.unique(own.table.train_y))
        history = [own.step(10) for _ in range(30)]
        plt.figure(figsize=(6, 3.5))
        plt.plot([m.epoch for m in history], [m.test_accuracy for m in history])
        plt.xlabel("epoch")
        plt.ylabel("test accuracy")
        plt.show()
        print(f"ball after {own.epoch} epochs: test accuracy {own.metrics.test_accuracy:.3f}")"""),
    md("""
        The 0/1 labels become −1 and +1, the tanh output's two ends. `predict` takes rows of the
        three columns: the centre should come out near +1 (inside), a corner near −1."""),
    code("""
        print(np.round(own.predict([[0, 0, 0], [0.5, 0.5, 0], [0.9, 0.9, 0.9]])[0], 3))"""),
]

NOTEBOOKS = {"house-prices": HOUSE_PRICES, "digits": DIGITS, "playground": PLAYGROUND}


def notebook(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    made = []
    for number, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell["id"] = f"{name}-{number}"
        made.append(cell)
    nb = nbformat.v4.new_notebook(cells=made)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    nbformat.validate(nb)
    return nb


def text_of(name: str) -> str:
    """The .ipynb file's text for this notebook."""
    return nbformat.writes(notebook(name, NOTEBOOKS[name])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = HERE / f"{name}.ipynb"
        text = text_of(name)
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print("out of date (run python notebooks/build.py):", ", ".join(stale), file=sys.stderr)
        return 1
    if not args.check:
        print("wrote", ", ".join(stale) if stale else "nothing (all up to date)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The page on a table (issue 14): the handwritten digits (MNIST) shown where the plane's map was,
the test images with the network's guesses and its mistakes, what each first-layer neuron looks
for, a digit drawn on the pad asked about with `probe` and its ten probabilities; the diagram with
one picture for the 784 inputs, or one node per column of a small table (a click switches one off);
and a reload that comes back on the table."""

from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
from playwright.sync_api import Page, expect

import engine
from playground_page import Frames, open_page, settings, wait_setting

DIGITS = "seed=0.12345&problem=multiclass&dataset=mnist"
PLANE_ONLY = ["[data-map-canvas]", "[data-points-canvas]", "[data-axis=x]", "[data-axis=y]", "[data-display=showTestData]",
              "input[data-config=noise]", "input[data-config=train_ratio]", "input[data-config=num_classes]",
              "[data-action=regenerate]", "[data-probe-box]", "[data-action=step-through]", "[data-action=download-map]"]


class Socket:
    """The JSON the page and the server exchange (frames left out)."""

    def __init__(self, page: Page):
        self.page = page
        self.received: list[dict] = []
        self.sent: list[dict] = []
        page.on("websocket", lambda socket: (
            socket.on("framereceived", lambda p: isinstance(p, str) and self.received.append(json.loads(p))),
            socket.on("framesent", lambda p: isinstance(p, str) and self.sent.append(json.loads(p)))))

    def last(self, kind: str, test=lambda m: True, sent: bool = False) -> dict:
        for _ in range(200):
            found = [m for m in (self.sent if sent else self.received) if m.get("type") == kind and test(m)]
            if found:
                return found[-1]
            self.page.wait_for_timeout(50)
        raise AssertionError(f"no {kind} message {'sent' if sent else 'received'}")


def canvas_pixels(page: Page, selector: str) -> list[list[int]]:
    """Each matching canvas's pixels as [r, g, b, …] (alpha left out)."""
    return page.eval_on_selector_all(selector, """canvases => canvases.map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return Array.from(d).filter((_, i) => i % 4 !== 3);
    })""")


def draw(page: Page, points: list[tuple[float, float]]) -> None:
    """One stroke on the digit pad through `points` (fractions of its side), with the mouse."""
    pad = page.locator("[data-digit-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        for t in range(1, 9):
            page.mouse.move(*at(ax + (bx - ax) * t / 8, ay + (by - ay) * t / 8))
    page.mouse.up()


def test_the_digits_view_shows_the_test_images_guesses_and_weights_and_training_updates_them(page: Page, live_server):
    socket = Socket(page)
    frames = Frames(page)
    open_page(page, live_server.url)
    page.select_option("select[data-config=problem]", "multiclass")
    wait_setting(page, "dataset", "multi-spiral")
    page.click("[data-dataset=mnist]")
    expect(page.locator("[data-app]")).to_have_attribute("data-table", "image")
    wait_setting(page, "dataset", "mnist")
    # The table's own network (hello's defaults for it), and no plane: the map and its controls go.
    assert settings(page)["network_shape"] == "32" and settings(page)["init"] == "glorot"
    for selector in PLANE_ONLY:
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator("[data-table-view=image]")).to_be_visible()
    expect(page.locator("[data-table-view=columns]")).to_have_class(re.compile(r"\bis-off\b"))
    # The diagram: one picture for the 784 inputs (their summarized links), 32 neurons, ten digits.
    expect(page.locator("[data-node=input]")).to_have_count(1)
    expect(page.locator("[data-node=input][data-input=image]")).to_be_visible()
    expect(page.locator("[data-node=hidden]")).to_have_count(32)
    assert page.locator("[data-node=output]").all_text_contents() == [str(d) for d in range(10)]
    assert page.locator("[data-network] [data-link][data-layer='0']").count() == 0  # not 784 × 32 lines

    # The sample's images as the data message has them, and the guesses of the metrics.
    table = socket.last("data", lambda m: m.get("table")).get("table")
    pixels = np.frombuffer(base64.b64decode(table["sample_pixels"]), np.uint8).reshape(-1, 784)
    cells = page.locator("[data-digit-samples] [data-sample]")
    expect(cells).to_have_count(len(table["sample_labels"]))
    drawn = np.array(canvas_pixels(page, "[data-digit-samples] canvas")).reshape(len(pixels), 784, 3)
    assert (drawn[:, :, 0] == pixels).all() and (drawn[:, :, 1] == pixels).all()  # grey: white strokes on black

    def guesses_match(metrics: dict) -> int:
        page.wait_for_function("e => document.querySelector('[data-digit-samples]').dataset.epoch === String(e)", arg=metrics["epoch"])
        shown = cells.evaluate_all("""cells => cells.map(c => [Number(c.dataset.predicted), c.dataset.wrong,
            c.querySelector('figcaption').textContent, c.querySelector('[data-truth]')?.textContent ?? null])""")
        wrong = 0
        for (predicted, is_wrong, caption, truth), guess, label in zip(shown, metrics["sample_predictions"], table["sample_labels"]):
            assert predicted == guess and caption.startswith(str(guess))
            assert is_wrong == ("true" if guess != label else "false")
            assert truth == (str(label) if guess != label else None)  # a mistake shows the true digit
            wrong += guess != label
        assert page.get_attribute("[data-digit-score]", "data-right") == str(len(shown) - wrong)
        return wrong

    before = socket.last("metrics", lambda m: m["epoch"] == 0)
    assert guesses_match(before) > 50  # an untrained network guesses about one in ten right
    weights_before = canvas_pixels(page, "[data-digit-weights] canvas")
    assert len(weights_before) == 32
    expect(page.locator("[data-accuracy-chart]")).to_have_attribute("data-points", "0")

    page.click("[data-action=step]")
    after = socket.last("metrics", lambda m: m["epoch"] == 1)
    assert after["test_accuracy"] > 0.8  # one epoch of 4,000 images (docs/engine.md: about 0.9)
    assert guesses_match(after) < 25
    expect(page.locator("[data-metric=test_accuracy]")).to_have_text(f"{100 * after['test_accuracy']:.1f}%")
    # The confusion matrix of the ten digits, counts as the server's.
    expect(page.locator("[data-confusion]")).to_have_attribute("data-total", "1000")
    cell = lambda t, p: page.text_content(f"[data-confusion-cell][data-true='{t}'][data-predicted='{p}']")
    assert [int(cell(t, t)) for t in range(10)] == [after["confusion"][t][t] for t in range(10)]
    # Each first-layer neuron's weights, as the frame has them: changed by training, blue where the
    # weight is largest and orange where it is most negative.
    page.wait_for_function("() => document.querySelector('[data-digit-weights]').dataset.epoch === '1'")
    weights_after = canvas_pixels(page, "[data-digit-weights] canvas")
    assert all(a != b for a, b in zip(weights_before, weights_after))
    frame = frames.wait_for(lambda f: f["epoch"] == 1, "at epoch 1")
    sizes = frame["sizes"]
    assert sizes == [784, 32, 10]
    for j in (0, 17):
        row = np.array([frame["weight"](0, i, j) for i in range(784)])
        picture = np.array(weights_after[j]).reshape(784, 3).astype(int)
        r, _, b = picture[row.argmax()]
        assert b > r, "the largest weight is drawn blue"
        r, _, b = picture[row.argmin()]
        assert r > b, "the most negative weight is drawn orange"
    expect(page.locator("[data-accuracy-chart]")).not_to_have_attribute("data-points", "0")
    expect(page.locator("[data-loss-chart]")).not_to_have_attribute("data-points", "0")


def test_a_drawn_digit_gets_the_engines_ten_probabilities_and_a_reload_comes_back_on_the_digits(page: Page, live_server):
    socket = Socket(page)
    open_page(page, live_server.url, DIGITS)
    expect(page.locator("[data-app]")).to_have_attribute("data-table", "image")
    expect(page.locator("[data-node=input][data-input=image]")).to_have_attribute("data-showing", "mean")
    # A 1: one stroke down the pad, a little slanted.
    draw(page, [(0.52, 0.15), (0.47, 0.85)])
    bars = page.locator("[data-digit-probabilities]")
    expect(bars).to_have_attribute("data-answered", "true")
    expect(page.locator("[data-digit-pad]")).to_have_attribute("data-waiting", "false")  # the stroke's last question answered
    sent = socket.last("probe", lambda m: "inputs" in m, sent=True)
    values = np.array(sent["inputs"])
    assert values.shape == (784,) and values.min() >= 0 and values.max() <= 255 and values.max() > 200
    # As MNIST's digits: the ink's box at most 20 pixels a side, its centre of mass in the middle.
    image = values.reshape(28, 28)
    rows, columns = np.nonzero(image > 30)
    assert 16 <= rows.max() - rows.min() + 1 <= 22 and columns.max() - columns.min() + 1 < 14
    mass = image.sum()
    cy, cx = (image.sum(axis=1) * (np.arange(28) + 0.5)).sum() / mass, (image.sum(axis=0) * (np.arange(28) + 0.5)).sum() / mass
    assert abs(cx - 14) < 1.5 and abs(cy - 14) < 1.5
    # The page shows the server's answer for the row it sent, which is the engine's forward pass.
    answer = socket.last("probe", lambda m: m.get("x") is None)
    shown = [float(v) for v in bars.locator("[data-probability]").evaluate_all("els => els.map(e => e.dataset.value)")]
    assert shown == answer["layers"][-1]["a"]
    assert math.isclose(sum(shown), 1, abs_tol=1e-9)
    run = engine.Run(socket.last("state")["config"])
    assert np.allclose(run.probe_row(values)["layers"][-1]["a"], shown, atol=1e-9)
    best = int(np.argmax(shown))
    assert page.get_attribute("[data-digit-probabilities] [data-best]", "data-class") == str(best)
    expect(page.locator("[data-digit-guess]")).to_contain_text(f"says {best}")
    expect(page.locator("[data-node=input][data-input=image]")).to_have_attribute("data-showing", "probed")
    page.click("[data-action=clear-digit]")
    expect(bars).to_have_attribute("data-answered", "false")
    expect(page.locator("[data-node=input][data-input=image]")).to_have_attribute("data-showing", "mean")

    # A reload comes back on the digits (its network at epoch 0: the page says it cannot keep it).
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    expect(page.locator("[data-app]")).to_have_attribute("data-table", "image")
    expect(page.locator("[data-digit-samples] [data-sample]")).to_have_count(100)
    assert settings(page)["dataset"] == "mnist" and settings(page)["inputs"] == "default"
    expect(page.locator("[data-table-note]")).to_be_visible()
    expect(page.locator("[data-share-link]")).to_have_attribute("data-trained", "")
    expect(page.locator("[data-toast]")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('playground-training')") is None


def test_a_small_tables_columns_are_input_nodes_that_switch_off_and_the_hash_keeps_them(page: Page, live_server):
    socket = Socket(page)
    frames = Frames(page)
    open_page(page, live_server.url, "seed=0.12345&problem=regression&dataset=house-prices")
    expect(page.locator("[data-app]")).to_have_attribute("data-table", "columns")
    table = socket.last("data", lambda m: m.get("table")).get("table")
    nodes = page.locator("[data-node=input][data-column]")
    assert nodes.evaluate_all("els => els.map(e => e.dataset.column)") == table["columns"]
    assert nodes.all_text_contents() == table["columns"]  # labelled by name
    page.click("[data-node=input][data-column=bedrooms]")
    wait_setting(page, "inputs", ",".join(c for c in table["columns"] if c != "bedrooms"))
    expect(page.locator("[data-node=input][data-column=bedrooms]")).to_have_attribute("aria-pressed", "false")
    assert frames.wait_for(lambda f: f["sizes"][0] == len(table["columns"]) - 1, "with one input fewer")["sizes"][1:] == [8, 1]
    # A line per weight from each column that is on, none from one that is off.
    links = page.locator("[data-network] [data-link][data-layer='0']")
    expect(links).to_have_count((len(table["columns"]) - 1) * 8)
    # Switching every column off stops at the last one (the network needs an input).
    for name in table["columns"]:
        if name not in ("bedrooms", "prefer"):
            page.click(f"[data-node=input][data-column={name}]")
    wait_setting(page, "inputs", "prefer")
    page.click("[data-node=input][data-column=prefer]")
    expect(page.locator("[data-toast]")).to_contain_text("at least one input")
    assert settings(page)["inputs"] == "prefer"
    # A step, then a reload: house prices' small network comes back trained, as the plane's does.
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    trained = frames.wait_for(lambda f: f["epoch"] == 1, "the step's frame")["params"]
    since = len(frames.received)
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open][data-epoch='1']")
    expect(page.locator("[data-node=input][data-column=prefer]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-node=input][aria-pressed=true]")).to_have_count(1)
    assert settings(page)["inputs"] == "prefer"
    restored = frames.wait_for(lambda f: f["epoch"] == 1 and f["sizes"][0] == 1, "the restored network", since)
    assert restored["params"] == trained

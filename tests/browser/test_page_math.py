"""Seeing the math on the page (issue 12): a click, a tap or the keyboard on the big map probes that
point, and the diagram shows every neuron's z and a there as the engine's Run.probe computes them,
with a hovered neuron's formula filled in; the step-through of one update shows the `backprop`
message's numbers stage by stage (a and z, then δ and dJ/dW, then W_next − W) for a hovered neuron
or link, for K classes and for a network without hidden layers; training ends it."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import engine
from playground_page import open_page, shot, train

FIXED = "seed=0.12345"


class Socket:
    """What the page and the server say to each other: JSON both ways (binary frames left out)."""

    def __init__(self, page: Page):
        self.page = page
        self.received: list[dict] = []
        self.sent: list[dict] = []
        page.on("websocket", self.attach)

    def attach(self, socket) -> None:
        socket.on("framereceived", lambda payload: isinstance(payload, str) and self.received.append(json.loads(payload)))
        socket.on("framesent", lambda payload: isinstance(payload, str) and self.sent.append(json.loads(payload)))

    def last(self, kind: str, test=lambda m: True) -> dict:
        """The latest message of this type from the server that passes `test` (waits up to 10 s)."""
        for _ in range(200):
            found = [m for m in self.received if m.get("type") == kind and test(m)]
            if found:
                return found[-1]
            self.page.wait_for_timeout(50)
        raise AssertionError(f"no {kind} message; types seen: {[m.get('type') for m in self.received[-10:]]}")

    def mirror(self) -> engine.Run:
        """The session's network rebuilt by the engine: the last state's config and its hand edits
        (a fresh run of that config has the session's data and weights at epoch 0)."""
        state = self.last("state")
        run = engine.Run(state["config"])
        for edit in state["edits"]:
            run.apply_edit(edit)
        return run


def opened(page: Page, base_url: str, hash_: str = "") -> Socket:
    socket = Socket(page)
    open_page(page, base_url, f"{FIXED}&{hash_}" if hash_ else FIXED)
    return socket


def number(text: str) -> float:
    """A number as the page writes it: a real minus, 1.2e−3 on the nodes, 1.23×10⁻⁵ in the panel."""
    text = text.strip().replace("\u2212", "-")
    powers = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
    if "×10" in text:
        mantissa, power = text.split("×10")
        return float(mantissa) * 10 ** int(power.translate(powers))
    return float(text)


def node_values(page: Page, features: list[str], layers: int) -> dict[tuple[int, int], dict]:
    """The numbers on the diagram's nodes, by (frame layer, node): their full values (data-*) and the
    lines they show."""
    found = page.eval_on_selector_all("[data-network] [data-node-value]", """labels => labels.map((label) => {
        const node = label.closest('[data-node]');
        return {kind: node.dataset.node, layer: node.dataset.layer, index: node.dataset.index, feature: node.dataset.feature,
                data: {...label.dataset}, lines: [...label.children].map((line) => line.textContent)};
    })""")
    values = {}
    for item in found:
        if item["kind"] == "input":
            key = (0, features.index(item["feature"]))
        elif item["kind"] == "output":
            key = (layers - 1, int(item["index"]))
        else:
            key = (int(item["layer"]) + 1, int(item["index"]))
        data = {k: float(v) for k, v in item["data"].items() if k in ("z", "a", "delta")}
        values[key] = {**data, "lines": item["lines"]}
    return values


def assert_lines_read(value: dict) -> None:
    """Each line on a node ("z 1.3", "a 0.86", "δ −1.2e−3") reads its value to two digits."""
    for text in value["lines"]:
        name, _, shown = text.rpartition(" ")
        key = {"z": "z", "a": "a", "δ": "delta", "": "a"}[name]
        assert number(shown) == pytest.approx(value[key], rel=0.05, abs=1e-300), (text, value)


def terms(page: Page, where: str) -> dict[str, float]:
    """The whole values of a formula's numbers (data-term → data-value)."""
    return {k: float(v) for k, v in page.eval_on_selector_all(
        f"{where} [data-term]", "els => els.map((e) => [e.dataset.term, e.dataset.value])")}


def filled_in(page: Page, where: str, index: int) -> float:
    """The value of line `index`'s written-out sum ("0.1 × 1 + 0.335 × 2.36 − …"), as written."""
    text = page.locator(f"{where} .eq").nth(index).text_content()
    middle = text.split(" = ")[-2].replace("\u2212", "-").replace("×", "*")
    assert re.fullmatch(r"[-+*/() .0-9e]+", middle), middle
    return eval(middle)  # noqa: S307 (digits and operators only, checked above)


def click_map(page: Page, fx: float, fy: float, view=(-6.0, 6.0)) -> tuple[float, float]:
    """Click the big map at fractions (fx, fy) of its side; returns that point of the plane."""
    box = page.locator("[data-map]").bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    low, high = view
    return low + fx * (high - low), high - fy * (high - low)


def probed_point(page: Page) -> tuple[float, float]:
    """The point whose answer the page shows (waits for one)."""
    page.wait_for_function("() => document.querySelector('[data-probe-box]').dataset.point")
    x, y = page.get_attribute("[data-probe-box]", "data-point").split(",")
    return float(x), float(y)


def link_point(page: Page, layer: int, source: int, target: int) -> tuple[float, float]:
    """A point of a link, scrolled into view, where no other line or node lies on top of it."""
    at = page.evaluate("""([layer, source, target]) => {
        const path = document.querySelector(`[data-link][data-layer="${layer}"][data-from="${source}"][data-to="${target}"]`);
        path.scrollIntoView({block: "center", inline: "nearest"});
        const length = path.getTotalLength(), matrix = path.getScreenCTM();
        for (const t of [0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.1, 0.9]) {
            const p = path.getPointAtLength(length * t);
            const x = matrix.a * p.x + matrix.c * p.y + matrix.e, y = matrix.b * p.x + matrix.d * p.y + matrix.f;
            if (document.elementFromPoint(x, y) === path) return [x, y];
        }
        return null;
    }""", [layer, source, target])
    assert at, f"no free point on link {layer}:{source}-{target}"
    return at


def hover_link(page: Page, layer: int, source: int, target: int) -> None:
    page.mouse.move(*link_point(page, layer, source, target))


def detail_item(page: Page, item: str) -> None:
    page.wait_for_function("i => document.querySelector('[data-step-detail]').dataset.item === i", arg=item)


def softmax(z: list[float]) -> list[float]:
    e = [math.exp(v - max(z)) for v in z]
    return [v / sum(e) for v in e]


def test_clicking_the_map_probes_that_point_and_the_diagram_shows_run_probe(page, live_server, output_path):
    socket = opened(page, live_server.url, "network_shape=3,2&features=x,y,xSquared&edits=w0.0.0:1.5,b1.1:-0.75")
    features = ["x", "y", "xSquared"]
    expect(page.locator("[data-probe-box]")).to_contain_text("a point of the big map to follow it")
    x, y = click_map(page, 0.7, 0.3)
    px, py = probed_point(page)
    pixel = 12 / page.locator("[data-map]").bounding_box()["width"]  # (a click lands on a whole pixel)
    assert abs(px - x) <= 1.5 * pixel and abs(py - y) <= 1.5 * pixel, ((px, py), (x, y))
    sent = [m for m in socket.sent if m["type"] == "probe"]
    assert sent[-1] == {"type": "probe", "x": px, "y": py}
    # The server's answer is the engine's forward pass at that point, on the session's network.
    answer = socket.last("probe", lambda m: (m["x"], m["y"]) == (px, py))
    expected = socket.mirror().probe(px, py)
    np.testing.assert_allclose(answer["inputs"], expected["inputs"], rtol=1e-12)
    assert [len(layer["z"]) for layer in answer["layers"]] == [3, 2, 1]
    for got, want in zip(answer["layers"], expected["layers"]):
        np.testing.assert_allclose(got["z"], want["z"], rtol=1e-12)
        np.testing.assert_allclose(got["a"], want["a"], rtol=1e-12)
    # The diagram shows it: each input's value, each neuron's z and a, the output's.
    values = node_values(page, features, 4)
    assert sorted(values) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (3, 0)]
    for k, a in enumerate(answer["inputs"]):
        assert values[(0, k)]["a"] == a
    for l, layer in enumerate(answer["layers"], start=1):
        for j, (z, a) in enumerate(zip(layer["z"], layer["a"])):
            assert (values[(l, j)]["z"], values[(l, j)]["a"]) == (z, a)
    for value in values.values():
        assert_lines_read(value)
    assert terms(page, "[data-probe-output]") == {"output-0": answer["layers"][-1]["a"][0]}
    # The point is marked on the map where it was clicked.
    left, top = page.eval_on_selector("[data-probe-marker]", "m => [parseFloat(m.style.left), parseFloat(m.style.top)]")
    assert left == pytest.approx((px + 6) / 12 * 100) and top == pytest.approx((6 - py) / 12 * 100)
    expect(page.locator("[data-probe-marker]")).to_be_visible()

    # Hovering a neuron writes its formula with this point's numbers: z = W a written out, a = g(z).
    page.hover("[data-node=hidden][data-layer='1'][data-index='1']")
    page.wait_for_function("() => document.querySelector('[data-formula]')?.dataset.formula === 'node:2:1'")
    formula = "[data-formula]"
    shown = terms(page, formula)
    assert (shown["z"], shown["a"]) == (answer["layers"][1]["z"][1], answer["layers"][1]["a"][1])
    # The written-out sum (bias −0.75 typed by hand, the weights of the frame, the layer below's a)
    # adds up to z, to the digits shown.
    assert filled_in(page, formula, 1) == pytest.approx(shown["z"], abs=0.01)
    assert "−0.75 × 1" in page.locator(f"{formula} .eq").nth(1).text_content()
    expect(page.locator(f"{formula} .eq").nth(2)).to_contain_text("tanh(")
    shot(page, output_path, "math-probe", full_page=False)
    # The output node: ŷ = g(z) of the output, here tanh (the default ½ squared error).
    page.hover("[data-node=output]")
    page.wait_for_function("() => document.querySelector('[data-formula]')?.dataset.formula === 'node:3:0'")
    assert terms(page, formula)["a"] == answer["layers"][2]["a"][0]
    # An input: its feature's value at the point (X₁² = x²).
    page.hover("[data-node=input][data-feature=xSquared]")
    page.wait_for_function("() => document.querySelector('[data-formula]')?.dataset.formula === 'node:0:2'")
    assert terms(page, formula)["a"] == pytest.approx(px * px)

    # Clear: the marker and the numbers go; the hint is back.
    page.click("[data-action=clear-probe]")
    expect(page.locator("[data-probe-marker]")).to_be_hidden()
    expect(page.locator("[data-network] [data-node-value]")).to_have_count(0)
    expect(page.locator("[data-probe-box]")).to_contain_text("a point of the big map to follow it")


def test_the_probe_follows_training_at_a_few_questions_a_second_and_a_new_shape_clears_it(page, live_server):
    socket = opened(page, live_server.url, "network_shape=4,2")
    click_map(page, 0.25, 0.6)
    px, py = probed_point(page)
    before = node_values(page, ["x", "y"], 4)[(3, 0)]["a"]
    started = page.evaluate("performance.now()")
    asked = len([m for m in socket.sent if m["type"] == "probe"])
    train(page, 40)
    seconds = (page.evaluate("performance.now()") - started) / 1000
    # Asked again while the weights changed, but not for every frame: at most four times a second.
    during = len([m for m in socket.sent if m["type"] == "probe"]) - asked
    frames = page.get_attribute("[data-map]", "data-frames-rendered")
    assert 1 <= during <= seconds * 4 + 2, (during, seconds, frames)
    # Paused: what the diagram shows is the engine's probe of the trained network at that point.
    epochs = socket.last("state", lambda m: not m["playing"])["epoch"]
    mirror = socket.mirror()
    mirror.step(epochs)
    want = float(mirror.probe(px, py)["layers"][-1]["a"][0])
    for _ in range(100):
        values = node_values(page, ["x", "y"], 4)
        if values.get((3, 0), {}).get("a") == pytest.approx(want, rel=1e-9):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"the output shows {values.get((3, 0))}, the engine {want}")
    assert want != pytest.approx(before)
    # A neuron more: another network, the point is cleared.
    page.click("[data-network] [data-action=add-neuron][data-layer='0']")
    page.wait_for_function("() => document.querySelector('[data-network]').dataset.shape === '5,2'")
    expect(page.locator("[data-probe-marker]")).to_be_hidden()
    expect(page.locator("[data-network] [data-node-value]")).to_have_count(0)


def test_the_keyboard_probes_the_map_and_reads_a_neurons_formula(page, live_server):
    socket = opened(page, live_server.url)
    box = page.locator("[data-map]")
    keys = page.get_attribute("[data-map]", "aria-describedby")
    expect(page.locator(f"#{keys}")).to_contain_text("arrow keys move the point")
    # Tab reaches the map (from the loss chart's panel, the first thing that takes the focus there).
    page.focus("[data-node=output]")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.querySelector('[data-map]')"):
            break
    expect(box).to_be_focused()
    page.keyboard.press("Enter")  # the centre of the view
    assert probed_point(page) == (0, 0)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    page.wait_for_function("() => document.querySelector('[data-probe-box]').dataset.point === '0.6,0.12'")
    answer = socket.last("probe", lambda m: (m["x"], m["y"]) == (0.6, 0.12))
    assert node_values(page, ["x", "y"], 4)[(3, 0)]["a"] == answer["layers"][-1]["a"][0]
    expect(page.locator("[data-probe-news]")).to_contain_text("the output is")
    # A focused neuron (Tab) gets its formula, as a hovered one does.
    page.focus("[data-node=hidden][data-layer='0'][data-index='2']")
    page.wait_for_function("() => document.querySelector('[data-formula]')?.dataset.formula === 'node:1:2'")
    assert terms(page, "[data-formula]")["z"] == answer["layers"][0]["z"][2]
    # The answers that follow training leave the focus where it is: on Clear, say.
    clear = page.locator("[data-action=clear-probe]")
    clear.focus()
    answers = len([m for m in socket.received if m.get("type") == "probe"])
    page.evaluate("document.querySelector('[data-action=play]').click()")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) >= 20")
    for _ in range(100):
        if len([m for m in socket.received if m.get("type") == "probe"]) >= answers + 3:
            break
        page.wait_for_timeout(50)
    page.evaluate("document.querySelector('[data-action=play]').click()")
    expect(clear).to_be_focused()
    page.keyboard.press("Enter")  # and it clears, the focus back on the map
    expect(page.locator("[data-probe-marker]")).to_be_hidden()
    expect(box).to_be_focused()
    # Escape on the map clears the point.
    page.keyboard.press("Enter")
    probed_point(page)
    page.keyboard.press("Escape")
    expect(page.locator("[data-probe-marker]")).to_be_hidden()
    expect(page.locator("[data-network] [data-node-value]")).to_have_count(0)


def test_the_step_through_shows_the_backprop_messages_numbers_stage_by_stage(page, live_server, output_path):
    socket = opened(page, live_server.url, "network_shape=4,2&batch_size=10")
    data = socket.last("data")
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    message = socket.last("backprop")
    assert {"type": "backprop"} in socket.sent
    # The message is the engine's pass over the next mini-batch of the session's network.
    expected = socket.mirror().backprop()
    assert message["indices"] == expected["indices"].tolist() and len(message["indices"]) == 10
    assert message["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    for got, want in zip(message["layers"], expected["layers"]):
        for key in ("W", "dW", "a", "z", "delta", "W_next"):
            np.testing.assert_allclose(np.array(got[key]), want[key], rtol=1e-12, atol=1e-15, err_msg=key)
    layers = message["layers"]
    expect(page.locator("[data-action=next-stage]")).to_be_focused()
    assert terms(page, "[data-step-batch]") == {"loss": message["loss"]}
    expect(page.locator("[data-step-equations]")).to_contain_text("J = (1/m)")

    # Forward: each neuron's z and a for the chosen point (the first), marked on the map.
    def forward_values(p: int) -> None:
        values = node_values(page, ["x", "y"], 4)
        for k in range(2):
            assert values[(0, k)]["a"] == layers[0]["a"][k + 1][p]
        for fl in (1, 2):
            for j in range(len(layers[fl - 1]["z"])):
                assert values[(fl, j)]["z"] == layers[fl - 1]["z"][j][p]
                assert values[(fl, j)]["a"] == layers[fl]["a"][j + 1][p]
        assert values[(3, 0)]["z"] == layers[2]["z"][0][p]
        assert values[(3, 0)]["a"] == pytest.approx(math.tanh(layers[2]["z"][0][p]), rel=1e-12)
        for value in values.values():
            assert_lines_read(value)
        x, y, _ = data["train"][message["indices"][p]]
        left, top = page.eval_on_selector("[data-step-marker]", "m => [parseFloat(m.style.left), parseFloat(m.style.top)]")
        assert left == pytest.approx((x + 6) / 12 * 100) and top == pytest.approx((6 - y) / 12 * 100)

    forward_values(0)
    page.hover("[data-node=hidden][data-layer='1'][data-index='0']")
    detail_item(page, "node:2:0")
    shown = terms(page, "[data-step-detail]")
    assert (shown["z"], shown["a"]) == (layers[1]["z"][0][0], layers[2]["a"][1][0])
    assert filled_in(page, "[data-step-detail]", 1) == pytest.approx(shown["z"], abs=0.01)
    shot(page, output_path, "math-step-forward", full_page=False)
    page.select_option("select[data-step-point]", "3")
    forward_values(3)
    hover_link(page, 1, 2, 1)
    detail_item(page, "link:1:2-1")
    shown = terms(page, "[data-step-detail]")
    assert shown["W"] == layers[1]["W"][1][3]
    assert shown["product"] == pytest.approx(layers[1]["W"][1][3] * layers[1]["a"][3][3], rel=1e-12)
    assert page.get_attribute("[data-network]", "data-links") in (None, "weights")

    # Backward: δ on the neurons, dJ/dW on the links.
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=backward]")
    expect(page.locator("[data-network]")).to_have_attribute("data-links", "gradient")
    values = node_values(page, ["x", "y"], 4)
    assert sorted(values) == [(1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0)]
    for (fl, j), value in values.items():
        assert value["delta"] == layers[fl - 1]["delta"][j][3]
        assert_lines_read(value)
    hover_link(page, 0, 1, 2)
    detail_item(page, "link:0:1-2")
    shown = terms(page, "[data-step-detail]")
    assert shown["dW"] == layers[0]["dW"][2][2]
    assert shown["share"] == pytest.approx(layers[0]["delta"][2][3] * layers[0]["a"][2][3], rel=1e-12)
    page.hover("[data-node=hidden][data-layer='0'][data-index='1']")
    detail_item(page, "node:1:1")
    shown = terms(page, "[data-step-detail]")
    assert shown["delta"] == layers[0]["delta"][1][3]
    # δ = g′(z) · Σ W δ written out with the numbers: g′ times the sum gives δ, to the digits shown.
    written = page.locator("[data-step-detail] .eq").nth(1).text_content().split(" = ")[-2]
    slope, _, rest = written.partition(" × (")
    total = eval(rest[:-1].replace("\u2212", "-").replace("×", "*"))  # noqa: S307
    assert number(slope) * total == pytest.approx(shown["delta"], rel=0.02)
    page.hover("[data-node=output]")
    detail_item(page, "node:3:0")
    assert terms(page, "[data-step-detail]")["delta"] == layers[2]["delta"][0][3]
    shot(page, output_path, "math-step-backward", full_page=False)

    # The update: each weight's change, W_next − W (plain gradient descent).
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=update]")
    expect(page.locator("[data-network]")).to_have_attribute("data-links", "change")
    expect(page.locator("[data-network] [data-node-value]")).to_have_count(0)
    hover_link(page, 2, 1, 0)
    detail_item(page, "link:2:1-0")
    shown = terms(page, "[data-step-detail]")
    assert shown["W_next"] == layers[2]["W_next"][0][2]
    assert shown["change"] == pytest.approx(layers[2]["W_next"][0][2] - layers[2]["W"][0][2], rel=1e-12)
    assert shown["W_next"] == pytest.approx(layers[2]["W"][0][2] - 0.03 * layers[2]["dW"][0][2], rel=1e-12)
    expect(page.locator("[data-hovercard]")).to_contain_text("Change of the weight from neuron 2 of hidden layer 2 to the output")
    shot(page, output_path, "math-step-update", full_page=False)

    # Done: the diagram is as before.
    page.click("[data-action=next-stage]")
    expect(page.locator("[data-step]")).to_be_hidden()
    expect(page.locator("[data-network]")).to_have_attribute("data-links", "weights")
    expect(page.locator("[data-network] [data-node-value]")).to_have_count(0)
    expect(page.locator("[data-step-marker]")).to_be_hidden()
    expect(page.locator("[data-action=step-through]")).to_be_focused()


def test_the_step_through_of_three_classes_without_hidden_layers(page, live_server):
    socket = opened(page, live_server.url, "problem=multiclass&dataset=multi-gauss&num_classes=3&network_shape=&loss=cross_entropy")
    data = socket.last("data")
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    message = socket.last("backprop")
    [layer] = message["layers"]
    assert len(layer["W"]) == 3 and len(layer["W"][0]) == 3
    expect(page.locator("[data-step-equations]")).to_contain_text("softmax")
    # Forward: the three output nodes' z and their softmax.
    values = node_values(page, ["x", "y"], 2)
    z = [row[0] for row in layer["z"]]
    for k in range(3):
        assert values[(1, k)]["z"] == z[k]
        assert values[(1, k)]["a"] == pytest.approx(softmax(z)[k], rel=1e-12)
    # Backward: δ = (a − y)/m at each output, the class's target y written in.
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=backward]")
    expect(page.locator("[data-step-equations]")).to_contain_text("No hidden layers")
    label = data["train"][message["indices"][0]][2]
    m = len(message["indices"])
    for k in range(3):
        assert node_values(page, ["x", "y"], 2)[(1, k)]["delta"] == layer["delta"][k][0]
        page.hover(f"[data-node=output][data-index='{k}']")
        detail_item(page, f"node:1:{k}")
        written = page.locator("[data-step-detail] .eq").nth(1).text_content().split(" = ")[-2]
        assert written.endswith(f"− {1 if k == label else 0}) / {m}"), written
        assert filled_in(page, "[data-step-detail]", 1) == pytest.approx(layer["delta"][k][0], rel=0.02, abs=1e-4)
    hover_link(page, 0, 0, 2)
    detail_item(page, "link:0:0-2")
    assert terms(page, "[data-step-detail]")["dW"] == layer["dW"][2][1]
    # The update.
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=update]")
    page.hover("[data-node=output][data-index='1']")
    detail_item(page, "node:1:1")
    changes = page.eval_on_selector_all("[data-step-detail] [data-term=change]", "els => els.map((e) => Number(e.dataset.value))")
    assert changes == pytest.approx([layer["W_next"][1][c] - layer["W"][1][c] for c in range(3)], rel=1e-12)

    # Another optimizer is a change of settings: the step-through closes. Opened again, its update
    # says that Adam's step is its own and shows dJ/dW.
    page.select_option("select[data-config=optimizer]", "adam")
    expect(page.locator("[data-step]")).to_be_hidden()
    page.wait_for_function("() => location.hash.includes('optimizer=adam')")
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    message = socket.last("backprop", lambda msg: msg["optimizer"] == "adam")
    assert message["layers"][0]["W_next"] is None
    page.click("[data-action=next-stage]")
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=update]")
    expect(page.locator("[data-network]")).to_have_attribute("data-links", "gradient")
    expect(page.locator("[data-step-equations]")).to_contain_text("Adam")
    hover_link(page, 0, 1, 0)
    detail_item(page, "link:0:1-0")
    assert terms(page, "[data-step-detail]") == {"dW": message["layers"][0]["dW"][0][2]}


def test_a_probe_of_three_classes_shows_each_class_and_training_ends_the_step_through(page, live_server):
    socket = opened(page, live_server.url, "problem=multiclass&dataset=multi-gauss&num_classes=3&network_shape=3&loss=cross_entropy")
    click_map(page, 0.5, 0.5)
    px, py = probed_point(page)
    answer = socket.last("probe", lambda m: (m["x"], m["y"]) == (px, py))
    out = answer["layers"][-1]["a"]
    assert sum(out) == pytest.approx(1)
    assert terms(page, "[data-probe-output]") == {f"output-{k}": v for k, v in enumerate(out)}
    values = node_values(page, ["x", "y"], 3)
    assert [values[(2, k)]["a"] for k in range(3)] == out
    # The step-through puts its numbers on the nodes; the probe's come back when it ends.
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=backward]")
    assert all("delta" in value for value in node_values(page, ["x", "y"], 3).values())
    # Play ends it: training changes the weights it is about.
    page.click("[data-action=play]")
    expect(page.locator("[data-step]")).to_be_hidden()
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")
    expect(page.locator("[data-network]")).to_have_attribute("data-links", "weights")
    page.wait_for_function("() => document.querySelectorAll('[data-network] [data-node-value][data-z]').length === 6")
    # Step ends it too.
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    page.click("[data-action=step]")
    expect(page.locator("[data-step]")).to_be_hidden()


def test_regression_writes_the_linear_outputs_delta(page, live_server):
    socket = opened(page, live_server.url, "problem=regression&dataset=reg-plane&network_shape=2")
    data = socket.last("data")
    page.click("[data-action=step-through]")
    page.wait_for_selector("[data-step-box][data-stage=forward]")
    message = socket.last("backprop")
    page.click("[data-action=next-stage]")
    page.wait_for_selector("[data-step-box][data-stage=backward]")
    expect(page.locator("[data-step-equations]")).to_contain_text("(z − y) / m")
    page.hover("[data-node=output]")
    detail_item(page, "node:2:0")
    written = page.locator("[data-step-detail] .eq").nth(1).text_content().split(" = ")[-2]
    z = message["layers"][1]["z"][0][0]
    y = data["train"][message["indices"][0]][2]
    m = len(message["indices"])
    # (The data message's labels are rounded to 4 decimals.)
    assert (z - y) / m == pytest.approx(message["layers"][1]["delta"][0][0], rel=1e-3)
    assert eval(written.replace("\u2212", "-")) == pytest.approx((z - y) / m, rel=0.02, abs=1e-4), written  # noqa: S307
    expect(page.locator("[data-probe-box]")).to_contain_text("a point of the big map")


def test_a_finger_taps_the_map_to_probe_and_a_neuron_or_a_line_for_its_numbers(browser, live_server):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        socket = opened(page, live_server.url, "network_shape=4,2")
        # The words for a finger ("Tap", not "Click"), as the page's other hints on a touch screen.
        assert page.locator("[data-probe-box] .hint").inner_text() == (
            "Tap a point of the big map to follow it through the network: each neuron's z and a for that input.")
        box = page.locator("[data-map]").bounding_box()
        page.touchscreen.tap(box["x"] + 0.3 * box["width"], box["y"] + 0.6 * box["height"])
        px, py = probed_point(page)
        answer = socket.last("probe", lambda m: (m["x"], m["y"]) == (px, py))
        # A tap on a neuron is its hover: its map, its card, and its formula.
        page.tap("[data-node=hidden][data-layer='0'][data-index='3']")
        expect(page.locator("[data-tapcard]")).to_be_visible()
        page.wait_for_function("() => document.querySelector('[data-formula]')?.dataset.formula === 'node:1:3'")
        assert terms(page, "[data-formula]")["a"] == answer["layers"][0]["a"][3]
        # In the step-through, a tap on a line reads its dJ/dW, in the card and the panel.
        page.tap("[data-action=step-through]")
        page.wait_for_selector("[data-step-box][data-stage=forward]")
        message = socket.last("backprop")
        page.tap("[data-action=next-stage]")
        page.wait_for_selector("[data-step-box][data-stage=backward]")
        page.touchscreen.tap(*link_point(page, 2, 1, 0))
        detail_item(page, "link:2:1-0")
        assert terms(page, "[data-step-detail]")["dW"] == message["layers"][2]["dW"][0][2]
        expect(page.locator("[data-tapcard]")).to_contain_text("∂J/∂W of the weight from neuron 2 of hidden layer 2 to the output")
    finally:
        context.close()


@pytest.mark.parametrize("width,height", [(1400, 1000), (820, 1180)], ids=["laptop", "tablet"])
def test_the_math_fits_the_screen(page, live_server, output_path, width, height):
    page.set_viewport_size({"width": width, "height": height})
    opened(page, live_server.url, "network_shape=4,2")
    click_map(page, 0.72, 0.28)
    probed_point(page)
    page.hover("[data-node=hidden][data-layer='0'][data-index='1']")
    page.wait_for_selector("[data-formula='node:1:1']")
    panel = page.locator(".network-panel").bounding_box()
    for selector in ("[data-probe-box]", "[data-formula]", "[data-action=step-through]"):
        box = page.locator(selector).bounding_box()
        assert panel["x"] <= box["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"] + 0.5, selector
    shot(page, output_path, f"math-{width}-probe", full_page=False)
    page.click("[data-action=step-through]")
    for stage in ("forward", "backward", "update"):
        page.wait_for_selector(f"[data-step-box][data-stage={stage}]")
        page.evaluate("window.scrollTo(0, 0)")
        page.hover("[data-node=hidden][data-layer='1'][data-index='0']")
        page.wait_for_selector("[data-step-detail][data-item='node:2:0']")
        for selector in ("[data-step]", "[data-step-detail]"):
            box = page.locator(selector).bounding_box()
            assert box["x"] + box["width"] <= panel["x"] + panel["width"] + 0.5, (stage, selector)
        shot(page, output_path, f"math-{width}-{stage}", full_page=True)
        if stage != "update":
            page.click("[data-action=next-stage]")

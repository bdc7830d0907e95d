"""The gradient chart (issue 12, "Seeing the math"): each weight matrix's gradient size per epoch,
the server's `metrics.gradient_sizes`, one line per matrix on a log scale; a deep sigmoid
network's first layer far below its last, an exploding learning rate's climb, a new network
starting the chart over, and the stall note of a too-high learning rate on the spiral saying why
and pointing at the chart."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from playground_page import open_page, shot, wait_setting

CHART = "[data-gradient-chart]"
POWER = re.compile(r"^10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")


class Metrics:
    """The metrics messages the server sends the page."""

    def __init__(self, page: Page):
        self.page = page
        self.seen: list[dict] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self.receive))

    def receive(self, payload) -> None:
        if isinstance(payload, str):
            message = json.loads(payload)
            if message.get("type") == "metrics":
                self.seen.append(message)

    def at(self, epoch: int) -> dict:
        for _ in range(200):
            found = [m for m in self.seen if m["epoch"] == epoch]
            if found:
                return found[-1]
            self.page.wait_for_timeout(50)
        raise AssertionError(f"no metrics at epoch {epoch}; seen {[m['epoch'] for m in self.seen[-10:]]}")


def chart(page: Page) -> dict:
    return page.eval_on_selector(CHART, "c => ({...c.dataset})")


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.split(",")] if text else []


def paused_at(page: Page, epoch: int) -> None:
    page.wait_for_function(
        "n => { const a = document.querySelector('[data-app]'); return a.dataset.playing === 'false' && Number(a.dataset.epoch) === n; }",
        arg=epoch)


def drawn_at(page: Page, epoch: int) -> dict:
    page.wait_for_function(f"() => document.querySelector('{CHART}').dataset.epoch === '{epoch}'")
    return chart(page)


def test_the_chart_draws_one_line_per_weight_matrix_from_the_servers_sizes(page, live_server, output_path):
    metrics = Metrics(page)
    open_page(page, live_server.url, "seed=0.12345&stop_epoch=20")  # [4, 2]: three weight matrices
    assert chart(page)["lines"] == "0"  # no epoch yet: nothing to draw
    expect(page.locator(".gradients figcaption")).to_contain_text("log scale")
    page.click("[data-action=play]")
    paused_at(page, 20)
    sent = metrics.at(20)["gradient_sizes"]
    drawn = drawn_at(page, 20)
    assert len(sent) == 3 and all(v > 0 for v in sent)
    assert numbers(drawn["latest"]) == sent  # the server's numbers, as they came
    assert drawn["lines"] == "3" and int(drawn["points"]) > 1
    ticks = drawn["ticks"].split(",")
    assert len(ticks) >= 2 and all(POWER.match(t) for t in ticks), ticks
    # The legend names the matrices as the course does, the last the output's.
    expect(page.locator("[data-gradient-legend] li")).to_have_text(["W⁽¹⁾", "W⁽²⁾", "W⁽³⁾ output"])
    # Each line is on the canvas in its legend's colour.
    colours = page.eval_on_selector_all("[data-gradient-legend] .swatch", "s => s.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colours)) == 3
    for colour in colours:
        assert canvas_has(page, colour), colour
    shot(page, output_path, "gradients-default")


def canvas_has(page: Page, css: str) -> bool:
    """Whether the chart's canvas has a pixel within a small distance of the CSS rgb() colour."""
    return page.evaluate(
        """([selector, css]) => {
            const [r, g, b] = css.match(/\\d+/g).map(Number);
            const c = document.querySelector(selector);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i + 3] > 200 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30) return true;
            }
            return false;
        }""", [CHART, css])


def test_a_deep_sigmoid_networks_first_layer_is_drawn_far_below_its_last(page, live_server, output_path):
    metrics = Metrics(page)
    open_page(page, live_server.url, "seed=0.1&activation=sigmoid&network_shape=8,8,8,8,8&stop_epoch=30")
    page.click("[data-action=play]")
    paused_at(page, 30)
    sent = metrics.at(30)["gradient_sizes"]
    drawn = drawn_at(page, 30)
    assert numbers(drawn["latest"]) == sent and drawn["lines"] == "6"
    first, last = sent[0], sent[-1]
    assert first < last / 1000  # vanishing: the first layer's gradient is thousands of times smaller
    ends = numbers(drawn["ends"])
    assert ends == sorted(ends, reverse=True)  # a ladder: each layer's line above the one before
    assert ends[0] - ends[-1] > 30  # far apart on an 84 px chart
    expect(page.locator("[data-gradient-legend] li")).to_have_count(6)
    shot(page, output_path, "gradients-deep-sigmoid")


def test_an_exploding_learning_rate_climbs_the_chart_and_nothing_unfinite_is_drawn(page, live_server, output_path):
    metrics = Metrics(page)
    open_page(page, live_server.url, "seed=0.1&problem=regression&dataset=reg-plane&learning_rate=3&speed=1")
    page.click("[data-action=play]")
    expect(page.locator("[data-diverged-notice]")).to_be_visible()
    good = [m for m in metrics.seen if not m["diverged"]][-1]
    drawn = drawn_at(page, good["epoch"])
    assert numbers(drawn["latest"]) == good["gradient_sizes"]  # the last good epoch, not the overflow
    assert max(good["gradient_sizes"]) > 1e30  # exploded
    assert int(drawn["high"]) > 30 and all(POWER.match(t) for t in drawn["ticks"].split(","))
    for key in ("latest", "ends", "low", "high"):
        assert "NaN" not in drawn[key] and "Infinity" not in drawn[key], (key, drawn[key])
    shot(page, output_path, "gradients-exploding")


def test_a_new_network_starts_the_chart_over_and_a_live_rate_change_goes_on(page, live_server):
    open_page(page, live_server.url, "seed=0.12345&stop_epoch=20")
    page.click("[data-action=play]")
    paused_at(page, 20)
    before = int(drawn_at(page, 20)["points"])
    page.select_option("select[data-config=learning_rate]", "0.1")  # live: the same network
    wait_setting(page, "learning_rate", "0.1")
    page.click("[data-action=step]")
    assert int(drawn_at(page, 21)["points"]) == before + 1
    page.click("[data-action=reset]")
    page.wait_for_selector("[data-app][data-epoch='0']")
    page.wait_for_function(f"() => document.querySelector('{CHART}').dataset.lines === '0'")
    assert chart(page)["points"] == "0"
    expect(page.locator("[data-gradient-legend]")).to_be_hidden()
    # Another shape: four matrices from its first epoch on.
    page.click("[data-action=add-layer]")
    wait_setting(page, "network_shape", "4,2,2")
    page.click("[data-action=step]")
    drawn = drawn_at(page, 1)
    assert drawn["lines"] == "4" and drawn["points"] == "1"
    expect(page.locator("[data-gradient-legend] li")).to_have_count(4)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_a_learning_rate_of_10_on_the_spiral_says_why_it_stalled_and_points_at_the_chart(
        page, live_server, output_path, activation):
    open_page(page, live_server.url, f"seed=0.12345&dataset=spiral&activation={activation}&learning_rate=10&speed=20")
    notice = page.locator("[data-stalled-notice]")
    expect(notice).to_be_hidden()
    page.click("[data-action=play]")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_contain_text("Training has stalled")
    expect(notice).to_contain_text("slope is flat, so the gradients are near zero")
    expect(notice).to_contain_text("(on the gradient chart under the network, every line has sunk towards 0)")
    expect(notice).to_contain_text("a smaller learning rate alone will not help")
    # And the chart does show it: every size far below a healthy run's 10⁻² … 10⁻¹.
    sizes = numbers(chart(page)["latest"])
    assert len(sizes) == 3 and max(sizes) < 1e-3, sizes
    if activation == "relu":
        shot(page, output_path, "gradients-stalled-relu")


def test_a_rate_too_large_for_sigmoid_units_says_how_far_the_weights_jump(page, live_server, output_path):
    open_page(page, live_server.url, "seed=0.1&dataset=spiral&activation=sigmoid&loss=cross_entropy&learning_rate=10&speed=20")
    page.click("[data-action=play]")
    notice = page.locator("[data-stalled-notice]")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_have_attribute("data-reason", "too_fast")
    expect(notice).to_contain_text("The learning rate is too large for this network")
    expect(notice).to_contain_text(re.compile(r"moves the weights of W⁽³⁾ by about 1\.\d on average"))
    expect(notice).to_contain_text("the loss has stopped falling")
    page.click("[data-action=play]")  # pause: the note says what the last metrics say
    shot(page, output_path, "gradients-too-fast")
    notice.locator("[data-action=recover]").click()
    page.wait_for_selector("[data-app][data-epoch='0']")
    wait_setting(page, "learning_rate", "0.03")
    expect(notice).to_be_hidden()


def test_a_dead_relu_layer_names_the_lines_that_sank(page, live_server):
    open_page(page, live_server.url, "seed=0.1&dataset=xor&activation=relu&learning_rate=3&speed=5")
    page.click("[data-action=play]")
    notice = page.locator("[data-stalled-notice]")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_have_attribute("data-reason", "dead")
    expect(notice).to_contain_text("hidden layer 2 has died")
    expect(notice).to_contain_text("network, W⁽¹⁾ and W⁽²⁾ have sunk towards 0")
    page.wait_for_function(f"() => document.querySelector('{CHART}').dataset.zero === 'true'")
    sizes = numbers(chart(page)["latest"])
    assert sizes[0] == sizes[1] == 0 < sizes[2]  # no gradient reaches W⁽¹⁾, W⁽²⁾: drawn on the 0 lane


def test_the_chart_modules_keep_a_bounded_history_and_only_finite_sizes(modules):
    result = modules.evaluate(
        """async () => {
            const { GradientHistory } = await import('/static/js/gradientHistory.js');
            const { decades, powerOfTen, weightName } = await import('/static/js/views/gradients.js');
            const h = new GradientHistory(8);
            for (let e = 1; e <= 100; e++) h.add(e, [1 / e, 2 / e]);
            const kept = []; h.forEach((epoch) => kept.push(epoch));
            h.add(101, [NaN, Infinity]);
            const odd = [...h.latest.sizes];
            h.add(3, [1, 1]);  // an earlier epoch: a new network
            const restarted = h.length;
            h.add(4, [1, 1, 1]);  // another shape
            const width = h.width;
            h.add(0, null);  // a new network before its first epoch
            return { kept: kept.length, last: kept.at(-1), odd, restarted, width, cleared: h.latest,
                     vanishing: decades(1e-5, 1), exploding: decades(1e-5, 1e167), flat: decades(0.02, 0.03),
                     labels: [powerOfTen(-5), powerOfTen(0), powerOfTen(12)], names: [weightName(0), weightName(9)] };
        }""")
    assert result["kept"] <= 9 and result["last"] == 100  # at most the capacity, and the newest
    assert result["odd"] == [0, 1.7976931348623157e308]  # never NaN or Infinity
    assert result["restarted"] == 1 and result["width"] == 3 and result["cleared"] is None
    assert result["vanishing"] == {"low": -5, "high": 0, "ticks": [-4, -2, 0]}
    assert result["exploding"]["high"] == 167 and len(result["exploding"]["ticks"]) <= 4
    assert result["flat"]["high"] - result["flat"]["low"] >= 2
    assert result["labels"] == ["10⁻⁵", "10⁰", "10¹²"]
    assert result["names"] == ["W⁽¹⁾", "W⁽¹⁰⁾"]

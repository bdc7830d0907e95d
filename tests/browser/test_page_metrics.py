"""The metrics that answer students' questions, as the page shows them: the test set's confusion
matrix (the server's counts, in a table), R² and RMSE for regression, the training loss with the
regularization penalty (only while there is one), the stop conditions (they pause the run and the
page says why), and a sigmoid's or softmax's output read as a probability (a 0…1 legend and
read-out) where the playground's −1…1 scale is for everything else."""

from __future__ import annotations

import json
import re
import struct

from playwright.sync_api import Page, expect

from playground_page import open_page, settings, shot, wait_ready, wait_setting

FIXED = "seed=0.12345"


class Socket:
    """What the server sends the page: its JSON messages and its binary frames' output maps."""

    def __init__(self, page: Page):
        self.page = page
        self.messages: list[dict] = []
        self.maps: list[tuple[int, bytes]] = []  # (resolution, the main map's bytes)
        page.on("websocket", lambda socket: socket.on("framereceived", self.receive))

    def receive(self, payload) -> None:
        if isinstance(payload, str):
            self.messages.append(json.loads(payload))
        else:
            self.maps.append(main_map(bytes(payload)))

    def last(self, kind: str, test=lambda m: True) -> dict:
        """The latest message of this type that passes `test`, waiting up to 10 s for one."""
        for _ in range(200):
            found = [m for m in self.messages if m.get("type") == kind and test(m)]
            if found:
                return found[-1]
            self.page.wait_for_timeout(50)
        raise AssertionError(f"no {kind} message; types seen: {[m.get('type') for m in self.messages[-10:]]}")


def main_map(payload: bytes) -> tuple[int, bytes]:
    """docs/protocol.md "Frames": the header, the parameters as float32, then the D × D main map."""
    side, = struct.unpack_from("<H", payload, 2)
    count, = struct.unpack_from("<H", payload, 12)
    sizes = struct.unpack_from(f"<{count}H", payload, 14)
    start = -(-(14 + 2 * count) // 4) * 4
    parameters = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(count - 1))
    begin = start + 4 * parameters
    return side, payload[begin:begin + side * side]


def opened(page: Page, base_url: str, hash_: str) -> Socket:
    socket = Socket(page)
    open_page(page, base_url, f"{FIXED}&{hash_}")
    return socket


def paused_at(page: Page, epoch: int) -> None:
    page.wait_for_function(
        "n => { const a = document.querySelector('[data-app]'); return a.dataset.playing === 'false' && Number(a.dataset.epoch) === n; }",
        arg=epoch)


def confusion_on_page(page: Page) -> list[list[int]]:
    return page.evaluate(
        """() => {
            const rows = [];
            for (const td of document.querySelectorAll('[data-confusion-cell]')) {
                const t = Number(td.dataset.true), p = Number(td.dataset.predicted);
                (rows[t] ??= [])[p] = Number(td.textContent);
            }
            return rows;
        }""")


def test_the_confusion_matrix_shows_the_servers_counts_of_the_test_set(page, live_server, output_path):
    # 500 points, half for testing; trained 30 epochs and paused there by the stop condition, so
    # the page's last metrics are the ones compared.
    socket = opened(page, live_server.url, "dataset=xor&network_shape=4&stop_epoch=30")
    matrix = page.locator("[data-confusion]")
    expect(matrix).to_be_visible()
    page.click("[data-action=play]")
    paused_at(page, 30)
    metrics = socket.last("metrics", lambda m: m["epoch"] == 30)
    page.wait_for_function("() => document.querySelector('[data-confusion]').dataset.total === '250'")
    assert confusion_on_page(page) == metrics["confusion"]
    assert sum(map(sum, metrics["confusion"])) == 250 == len(socket.last("data")["test"])
    # The right classes in the right places, for everyone: a table whose headers say which is which.
    expect(page.get_by_role("columnheader", name="Orange (−1)", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Blue (+1)", exact=True)).to_be_visible()
    expect(page.locator("[data-confusion] th[scope=row]")).to_have_count(2)
    expect(page.locator("[data-confusion] caption")).to_contain_text("250 points")
    expect(page.get_by_role("columnheader", name="Predicted class")).to_be_visible()
    expect(page.get_by_role("rowheader", name="True class")).to_be_visible()
    # The diagonal (the points classified right) adds up to the accuracy the page shows.
    right = sum(metrics["confusion"][k][k] for k in range(2))
    assert page.text_content("[data-metric=test_accuracy]") == f"{100 * right / 250:.1f}%"
    shot(page, output_path, "confusion-binary")

    # Several classes: K × K, and the counts still the server's.
    page.evaluate("() => { location.hash = 'seed=0.12345&problem=multiclass&dataset=multi-gauss&num_classes=4&stop_epoch=5'; }")
    wait_setting(page, "num_classes", "4")
    page.click("[data-action=play]")
    paused_at(page, 5)
    metrics = socket.last("metrics", lambda m: m["epoch"] == 5 and len(m.get("confusion") or []) == 4)
    page.wait_for_function("() => document.querySelectorAll('[data-confusion-cell]').length === 16")
    page.wait_for_function(
        "expected => JSON.stringify([...document.querySelectorAll('[data-confusion-cell]')].map(td => Number(td.textContent))) === expected",
        arg=json.dumps([n for row in metrics["confusion"] for n in row], separators=(",", ":")))
    assert sum(map(sum, metrics["confusion"])) == 250
    expect(page.get_by_role("columnheader", name="Class 3")).to_be_visible()
    shot(page, output_path, "confusion-multiclass")


def test_regression_shows_r2_and_rmse_instead_of_accuracy(page, live_server):
    socket = opened(page, live_server.url, "problem=regression&dataset=reg-plane&stop_epoch=20")
    page.click("[data-action=play]")
    paused_at(page, 20)
    metrics = socket.last("metrics", lambda m: m["epoch"] == 20)
    expect(page.locator("[data-fit]")).to_be_visible()
    expect(page.locator("[data-metric=r2]")).to_have_text(f"{metrics['r2']:.3f}")
    expect(page.locator("[data-metric=rmse]")).to_have_text(f"{metrics['rmse']:.3f}")
    assert 0.5 < metrics["r2"] <= 1, "a plane is learnt in 20 epochs"
    expect(page.locator("[data-accuracy]")).to_be_hidden()
    expect(page.locator("[data-confusion-box]")).to_be_hidden()


def test_the_loss_with_the_penalty_shows_only_with_regularization(page, live_server):
    socket = opened(page, live_server.url, "regularization=L2&regularization_rate=0.03&stop_epoch=10")
    page.click("[data-action=play]")
    paused_at(page, 10)
    metrics = socket.last("metrics", lambda m: m["epoch"] == 10)
    assert metrics["penalty"] > 0
    row = page.locator("[data-penalty]")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Training loss with L2 penalty")
    expect(page.locator("[data-metric=train_loss_with_penalty]")).to_have_text(f"{metrics['train_loss_with_penalty']:.3f}")
    expect(page.locator("[data-metric=train_loss]")).to_have_text(f"{metrics['train_loss']:.3f}")
    # What the rate is in the course's terms, next to it and as the rate menu's description.
    meaning = page.locator("[data-rate-meaning]")
    expect(meaning).to_contain_text("λ/m")
    expect(meaning).to_contain_text("0.03 × 0.03 × w")
    expect(page.locator("select[data-config=regularization_rate]")).to_have_accessible_description(re.compile("λ/m"))

    page.select_option("select[data-config=regularization]", "L1")
    wait_setting(page, "regularization", "L1")
    expect(row).to_contain_text("with L1 penalty")
    page.select_option("select[data-config=regularization]", "none")
    wait_setting(page, "regularization", "none")
    page.click("[data-action=step]")
    paused_at(page, 1)
    assert socket.last("metrics", lambda m: m["epoch"] == 1)["penalty"] == 0
    expect(row).to_be_hidden()
    expect(meaning).to_be_hidden()


def test_a_stop_at_epoch_pauses_the_run_there_and_the_page_says_why(page, live_server, output_path):
    socket = opened(page, live_server.url, "network_shape=4")
    stop = page.locator("input[data-config=stop_epoch]")
    expect(stop).to_have_value("")
    expect(page.get_by_role("textbox", name="Pause training by itself at epoch", exact=True)).to_have_attribute("data-config", "stop_epoch")
    expect(page.get_by_role("textbox", name="Pause training by itself when test loss ≤", exact=True)).to_have_attribute(
        "data-config", "stop_test_loss")
    expect(page.locator("[data-stopped-notice]")).to_be_hidden()
    stop.fill("40")
    stop.press("Enter")
    wait_setting(page, "stop_epoch", "40")
    page.click("[data-action=play]")
    paused_at(page, 40)
    assert socket.last("state", lambda m: m["stopped"] is not None)["stopped"] == "stop_epoch"
    expect(page.locator("[data-stopped-notice]")).to_have_text("Paused: reached epoch 40")
    expect(page.locator("[data-training-summary]")).to_contain_text("Paused, as set, at epoch 40.")
    shot(page, output_path, "stopped-at-epoch", full_page=False)
    # Playing on goes past it, and the notice goes.
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 45")
    expect(page.locator("[data-stopped-notice]")).to_be_hidden()
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")

    # A value the server refuses: its own words, in the toast, as any other refusal.
    stop.fill("-3")
    stop.press("Enter")
    expect(page.locator("[data-toast]")).to_contain_text("stop_epoch")
    assert settings(page)["stop_epoch"] == "40"

    # The link carries both conditions; a reload brings them back into the inputs; empty is off.
    loss = page.locator("input[data-config=stop_test_loss]")
    loss.fill("0.2")
    loss.press("Enter")
    wait_setting(page, "stop_test_loss", "0.2")
    page.reload()
    wait_ready(page)
    expect(stop).to_have_value("40")
    expect(loss).to_have_value("0.2")
    stop.fill("")
    stop.press("Enter")
    wait_setting(page, "stop_epoch", "default")
    page.reload()
    wait_ready(page)
    expect(stop).to_have_value("")
    assert settings(page)["stop_test_loss"] == "0.2"


def test_a_stop_at_a_test_loss_says_which_loss(page, live_server):
    opened(page, live_server.url, "dataset=gauss&stop_test_loss=0.1")
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-stopped=stop_test_loss]")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    assert float(page.text_content("[data-metric=test_loss]")) <= 0.1
    expect(page.locator("[data-stopped-notice]")).to_have_text("Paused: test loss reached 0.1")


def legend_ticks(page: Page, which: str) -> list[str]:
    return page.locator(f"{which} .ticks span").all_text_contents()


def hover_cell(page: Page, socket: Socket, row: int, column: int) -> int:
    """Point at the centre of map cell (row, column); the byte the server sent for it."""
    side, bytes_ = socket.maps[-1]
    page.locator("[data-map]").scroll_into_view_if_needed()  # the pointer only reaches what is on screen
    box = page.locator("[data-map]").bounding_box()
    page.mouse.move(box["x"] + (column + 0.5) * box["width"] / side, box["y"] + (row + 0.5) * box["height"] / side)
    return bytes_[row * side + column]


def unsure_cells(socket: Socket, count: int = 3) -> list[tuple[int, int]]:
    """Cells of the latest map where the output is not at an end of its scale (spread out)."""
    side, bytes_ = socket.maps[-1]
    # (Not the corners: the map's rounded corners are outside it for the pointer.)
    cells = [(i // side, i % side) for i, b in enumerate(bytes_)
             if 10 < b < 245 and 3 <= i // side < side - 3 and 3 <= i % side < side - 3]
    assert cells, "the map is all at the ends of its scale"
    return [cells[i * (len(cells) - 1) // max(1, count - 1)] for i in range(count)]


def test_a_sigmoid_output_reads_as_a_probability_and_tanh_on_minus_one_to_one(page, live_server, output_path):
    socket = opened(page, live_server.url, "dataset=gauss&network_shape=&stop_epoch=30")
    # The default (tanh output): one scale, −1…1, and the read-out on it.
    expect(page.locator("[data-legend-probability]")).to_be_hidden()
    assert legend_ticks(page, "[data-legend-scale]") == ["−1", "0", "1"]
    expect(page.locator("[data-legend-scale-title]")).to_have_text("Data, neurons and weights")
    page.click("[data-action=play]")
    paused_at(page, 30)
    page.wait_for_timeout(200)  # the last frame is in
    b = hover_cell(page, socket, *unsure_cells(socket, 1)[0])
    readout = page.locator("[data-map-readout]")
    expect(readout).to_be_visible()
    value = float(re.fullmatch(r"Output (−?\d\.\d\d)", readout.text_content()).group(1).replace("−", "-"))
    assert abs(value - (b / 127.5 - 1)) <= 0.006

    # Cross-entropy: the output is the sigmoid's probability of the blue class, 0…1.
    page.select_option("select[data-config=loss]", "cross_entropy")
    wait_setting(page, "loss", "cross_entropy")
    probability = page.locator("[data-legend-probability]")
    expect(probability).to_be_visible()
    expect(page.locator("[data-legend-probability-title]")).to_have_text("Output: probability of blue")
    assert legend_ticks(page, "[data-legend-probability]") == ["0", "0.5", "1"]
    expect(page.locator("[data-legend-scale-title]")).to_have_text("Neurons and weights")  # still −1…1
    page.click("[data-action=play]")  # a new network: the stop at epoch 30 pauses it again
    paused_at(page, 30)
    page.wait_for_timeout(200)
    for row, column in unsure_cells(socket):
        b = hover_cell(page, socket, row, column)
        p = float(re.fullmatch(r"Probability of blue (\d\.\d\d)", readout.text_content()).group(1))
        assert abs(p - b / 255) <= 0.006, (row, column, b, p)
    shot(page, output_path, "probability-legend", full_page=False)
    page.mouse.move(1, 1)
    expect(readout).to_be_hidden()


def test_a_softmax_output_reads_as_the_winners_probability(page, live_server):
    socket = opened(page, live_server.url, "problem=multiclass&dataset=multi-gauss&num_classes=4&loss=cross_entropy")
    expect(page.locator("[data-legend-probability-title]")).to_have_text("Map: the winner's probability")
    # The winner of four classes has at least a quarter: the scale starts there.
    assert legend_ticks(page, "[data-legend-probability]") == ["0.25", "0.63", "1"]
    expect(page.locator("[data-legend-class-key]")).to_be_visible()
    b = hover_cell(page, socket, 50, 50)
    text = page.text_content("[data-map-readout]")
    match = re.fullmatch(r"Most likely class (\d), probability (\d\.\d\d)", text)
    assert match, text
    assert int(match.group(1)) == (b >> 5) + 1
    assert abs(float(match.group(2)) - (0.25 + 0.75 * (b & 31) / 31)) <= 0.006
    # The same classes with the playground's squared error: tanh scores, not probabilities.
    page.select_option("select[data-config=loss]", "half_square")
    wait_setting(page, "loss", "half_square")
    expect(page.locator("[data-legend-probability]")).to_be_hidden()

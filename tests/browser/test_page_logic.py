"""The logic-gate lab on the page (issue 11): the `logic` dataset's four points at 0 and 1 on a view
of their own ([-0.5, 1.5]², hello.options.views) with its axes, pictures and input-feature maps; a
gate menu that relabels them; and a live truth table of every hidden unit and the output, with a
button per course network (hello.options.gate_networks) that loads it."""

from __future__ import annotations

import math

from playwright.sync_api import Page, expect

from playground_page import open_page, settings, shot, wait_setting

LOGIC = "dataset=logic&loss=cross_entropy&network_shape=&init=zeros"
ORANGE, BLUE = (245, 147, 34), (8, 119, 189)  # colors.js cssOf(-1), cssOf(+1)
INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def open_logic(page: Page, base_url: str, extra: str = "") -> Page:
    return open_page(page, base_url, f"seed=0.12345&{LOGIC}{extra}")


def ticks(page: Page, axis: str) -> list[str]:
    return page.locator(f".{axis}-axis span").all_text_contents()


def point_pixels(page: Page, view: tuple[float, float]) -> list[list[int]]:
    """The points canvas's colour where each of the four inputs falls in `view`, plus the map's
    centre, read from the canvas itself."""
    low, high = view
    return page.evaluate(
        """([low, high, inputs]) => {
            const c = document.querySelector('[data-points-canvas]');
            const ratio = c.width / c.clientWidth, size = c.clientWidth;
            const at = ([x, y]) => {
                const px = ((x - low) / (high - low)) * size, py = ((high - y) / (high - low)) * size;
                return [...c.getContext('2d').getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data];
            };
            return [...inputs.map(at), at([(low + high) / 2, (low + high) / 2])];
        }""", [low, high, INPUTS])


def wait_points(page: Page, colours: list[tuple[int, int, int]], view=(-0.5, 1.5)) -> None:
    """Wait until the four inputs are drawn in these colours, opaque, where they fall in `view`."""
    for _ in range(100):
        pixels = point_pixels(page, view)
        if [tuple(p[:3]) for p in pixels[:4]] == colours and all(p[3] == 255 for p in pixels[:4]):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"points drawn as {pixels[:4]}, not {colours}")


def thumbnail_is(page: Page, feature: str, dataset: str) -> bool:
    """Whether the input node's thumbnail is the server's map of `feature` over `dataset`'s view
    (block means to the thumbnail's size, painted through the page's colour table)."""
    return page.evaluate(
        """async ([feature, dataset]) => {
            const { VALUE_LUT } = await import('/static/js/colors.js');
            const { shrink } = await import('/static/js/maps.js');
            const answer = await (await fetch(`/api/feature-maps?dataset=${dataset}`)).json();
            const bytes = Uint8Array.from(atob(answer.maps[feature]), (c) => c.charCodeAt(0));
            const c = document.querySelector(`[data-node=input][data-feature=${feature}] canvas`);
            const side = c.width;
            if (!side) return false;
            const expected = shrink(bytes, answer.resolution, side);
            const got = new Uint32Array(c.getContext('2d').getImageData(0, 0, side, side).data.buffer);
            return expected.every((b, i) => VALUE_LUT[b] === got[i]);
        }""", [feature, dataset])


def wait_thumbnail(page: Page, feature: str, dataset: str) -> None:
    for _ in range(100):
        if thumbnail_is(page, feature, dataset):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the {feature} thumbnail is not {dataset}'s view's map")


def table(page: Page) -> list[dict]:
    """The truth table as the page shows it: per row the inputs, the hidden cells, ŷ, target, mark."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-truth-table] tbody tr[data-truth-row]')].map((tr) => ({
            inputs: [...tr.querySelectorAll('th')].map((th) => th.textContent),
            hidden: [...tr.querySelectorAll('[data-truth-cell]')].map((td) => td.textContent),
            output: tr.querySelector('[data-truth-output]').textContent,
            target: tr.querySelector('[data-truth-target]').textContent,
            correct: tr.dataset.correct,
        }))""")


def g(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_the_logic_view_has_its_own_axes_points_and_pictures(page, live_server, output_path):
    open_logic(page, live_server.url, "&gate=xor")
    # The axes of [-0.5, 1.5]², every half unit, so that 0 and 1 have ticks; y from the top down.
    expect(page.locator(".x-axis [data-axis-end=low]")).to_have_text("−0.5")
    expect(page.locator(".x-axis [data-axis-end=high]")).to_have_text("1.5")
    assert ticks(page, "x") == ["−0.5", "0", "0.5", "1", "1.5"]
    assert ticks(page, "y") == ["1.5", "1", "0.5", "0", "−0.5"]
    # The four points where (0, 0), (0, 1), (1, 0), (1, 1) fall in that view, coloured by XOR; the
    # middle of the map (where the plane's (0, 0) would be drawn) is empty.
    wait_points(page, [ORANGE, BLUE, BLUE, ORANGE])
    assert point_pixels(page, (-0.5, 1.5))[4][3] == 0
    # The page's own record of where it drew them agrees, to the pixel.
    size = page.evaluate("document.querySelector('[data-map]').clientWidth")
    drawn = dict(entry.split("@") for entry in page.get_attribute("[data-points-canvas]", "data-drawn").split(";"))
    for x, y in INPUTS:
        px, py = map(float, drawn[f"{x},{y}"].split(","))
        assert abs(px - (x + 0.5) / 2 * size) < 0.1 and abs(py - (1.5 - y) / 2 * size) < 0.1
    # The input features' thumbnails are their maps over the logic view, not over the plane.
    wait_thumbnail(page, "x", "logic")
    wait_thumbnail(page, "ySquared", "logic")
    assert not thumbnail_is(page, "x", "circle")
    # The logic dataset's picture is drawn in its own view too: its (0, 0) point, orange, where
    # (0, 0) falls in [-0.5, 1.5]² of the button's canvas.
    corner = page.evaluate(
        """() => {
            const c = document.querySelector('[data-dataset=logic] canvas');
            return [...c.getContext('2d').getImageData(Math.round(c.width / 4), Math.round(c.height * 3 / 4), 1, 1).data];
        }""")
    assert tuple(corner[:3]) == ORANGE
    shot(page, output_path, "logic-view", full_page=False)

    # Back on the circle: the playground's [-6, 6]², its points and the plane's feature maps.
    page.click("[data-datasets] [data-dataset=circle]")
    wait_setting(page, "dataset", "circle")
    expect(page.locator(".x-axis [data-axis-end=high]")).to_have_text("6")
    expect(page.locator(".y-axis [data-axis-end=low]")).to_have_text("−6")
    assert ticks(page, "x") == ["−6", "0", "6"]
    wait_thumbnail(page, "x", "circle")
    assert not thumbnail_is(page, "x", "logic")
    page.wait_for_function("() => Number(document.querySelector('[data-points-canvas]').dataset.points) > 100")


def test_the_gate_menu_is_the_logic_datasets_and_relabels_the_points(page, live_server):
    open_logic(page, live_server.url, "&gate=or")
    menu = page.locator("select[data-config=gate]")
    expect(menu).to_be_visible()
    options = page.evaluate("async () => (await (await fetch('/api/options')).json()).gate")
    assert menu.locator("option").evaluate_all("els => els.map(e => e.value)") == options
    assert menu.locator("option").all_text_contents() == [
        "OR", "AND", "NAND", "XOR", "x₁ AND NOT x₂", "NOT x₁ AND x₂", "NOT x₁"]
    # What does not apply to four fixed points steps aside, and says why.
    for control in ("noise", "percTrainData"):
        expect(page.locator(f"[data-control={control}]")).to_be_hidden()
    expect(page.locator("[data-action=regenerate]")).to_be_hidden()
    expect(page.locator("[data-logic-note]")).to_be_visible()
    wait_points(page, [ORANGE, BLUE, BLUE, BLUE])

    page.select_option("select[data-config=gate]", "and")
    wait_setting(page, "gate", "and")  # the share link carries the gate
    wait_points(page, [ORANGE, ORANGE, ORANGE, BLUE])
    page.wait_for_function("""() => [...document.querySelectorAll('[data-truth-target]')]
        .map((td) => td.textContent).join() === '0,0,0,1'""")
    page.select_option("select[data-config=gate]", "not-x1")
    wait_setting(page, "gate", "not-x1")
    wait_points(page, [BLUE, BLUE, ORANGE, ORANGE])
    expect(page.locator("[data-truth-title]")).to_have_text("Truth table for NOT x₁")

    # A reload opens the same gate; another dataset has no gate menu, and its controls are back.
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    wait_setting(page, "gate", "not-x1")
    wait_points(page, [BLUE, BLUE, ORANGE, ORANGE])
    page.click("[data-datasets] [data-dataset=gauss]")
    wait_setting(page, "dataset", "gauss")
    expect(menu).to_be_hidden()
    expect(page.locator("[data-truth-box]")).to_be_hidden()
    expect(page.locator("[data-control=noise]")).to_be_visible()
    expect(page.locator("[data-action=regenerate]")).to_be_visible()
    expect(page.locator("[data-logic-note]")).to_be_hidden()


def test_the_truth_table_follows_a_typed_weight(page, live_server):
    open_logic(page, live_server.url, "&gate=or")
    box = page.locator("[data-truth-box]")
    expect(box).to_be_visible()
    expect(page.locator("[data-truth-table] caption")).to_contain_text("Truth table for OR")
    # Four rows, no hidden columns (no hidden layer); all-zero weights give ŷ = g(0) everywhere.
    page.wait_for_function("() => [...document.querySelectorAll('[data-truth-output]')].every((td) => td.textContent === '0.50000')")
    rows = table(page)
    assert [row["inputs"] for row in rows] == [["0", "0"], ["0", "1"], ["1", "0"], ["1", "1"]]
    assert all(row["hidden"] == [] for row in rows)
    assert [row["target"] for row in rows] == ["0", "1", "1", "1"]
    # The output's bias typed in the diagram's editor: g(10) at every input, shown as 0.99995.
    page.click("[data-bias][data-layer='0'][data-node='0']")
    field = page.locator("[data-editor] input[data-editor-field='0']")
    expect(field).to_be_focused()
    field.fill("10")
    field.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('[data-truth-output]')].every((td) => td.textContent === '0.99995')")
    assert [row["correct"] for row in table(page)] == ["false", "true", "true", "true"]
    expect(page.locator("[data-truth-score]")).to_have_text("3 of 4 inputs right")
    # Then the course's OR by hand: bias −10, both weights 20.
    page.click("[data-node=output]")
    fields = page.locator("[data-editor] input[data-editor-field]")
    expect(fields).to_have_count(3)
    fields.nth(0).fill("-10")
    fields.nth(1).fill("20")
    fields.nth(2).fill("20")
    fields.nth(2).press("Enter")
    expected = [f"{g(-10 + 20 * a + 20 * b):.5f}" for a, b in INPUTS]
    page.wait_for_function("""(want) => [...document.querySelectorAll('[data-truth-output]')]
        .map((td) => td.textContent).join() === want.join()""", arg=expected)
    assert expected == ["0.00005", "0.99995", "0.99995", "1.00000"]
    assert all(row["correct"] == "true" for row in table(page))
    # The cells are tinted on the 0..1 scale: ŷ near 0 orange-ish, near 1 blue-ish.
    tints = page.evaluate("""() => [...document.querySelectorAll('[data-truth-output]')]
        .map((td) => getComputedStyle(td).backgroundColor.match(/\\d+/g).map(Number))""")
    assert tints[0][0] > tints[0][2] and tints[1][2] > tints[1][0]


def test_the_course_networks_load_in_one_click(page, live_server, output_path):
    open_logic(page, live_server.url, "&gate=or")
    buttons = page.locator("[data-gate-networks] [data-gate-network]")
    options = page.evaluate("async () => (await (await fetch('/api/options')).json()).gate")
    assert buttons.evaluate_all("els => els.map(e => e.dataset.gateNetwork)") == options
    xor = page.locator("[data-gate-network=xor]")
    expect(xor).to_have_text("XOR")
    assert xor.get_attribute("title").endswith("a₁ = g(−10 + 20x₁ − 20x₂), a₂ = g(−10 − 20x₁ + 20x₂), ŷ = g(−10 + 20a₁ + 20a₂)")
    xor.click()
    wait_setting(page, "gate", "xor")
    wait_setting(page, "network_shape", "2")
    page.wait_for_function("() => document.querySelector('[data-truth-table]').dataset.right === '4'")
    # Two hidden columns, named as the diagram names the neurons, and every row right.
    heads = page.locator("[data-truth-table] thead th[data-layer='0']")
    expect(heads).to_have_count(2)
    assert heads.all_text_contents() == ["Neuron 1", "Neuron 2"]
    expect(page.locator("[data-truth-table] thead th[scope=colgroup]").nth(1)).to_have_text("Hidden layer 1")
    rows = table(page)
    assert all(row["correct"] == "true" for row in rows)
    assert [row["target"] for row in rows] == ["0", "1", "1", "0"]
    a1 = [g(-10 + 20 * a - 20 * b) for a, b in INPUTS]
    a2 = [g(-10 - 20 * a + 20 * b) for a, b in INPUTS]
    assert [row["hidden"] for row in rows] == [[f"{u:.5f}", f"{v:.5f}"] for u, v in zip(a1, a2)]
    assert [row["output"] for row in rows] == [f"{g(-10 + 20 * u + 20 * v):.5f}" for u, v in zip(a1, a2)]
    assert settings(page)["activation"] == "sigmoid"
    shot(page, output_path, "logic-xor", full_page=False)

    # NOT x₁: back to one unit, its table without hidden columns.
    page.click("[data-gate-network=not-x1]")
    wait_setting(page, "gate", "not-x1")
    wait_setting(page, "network_shape", "")
    page.wait_for_function("() => document.querySelector('[data-truth-table]').dataset.right === '4'"
                           " && !document.querySelector('[data-truth-cell]')")


def test_the_truth_table_fits_a_tablet(page, live_server, output_path):
    page.set_viewport_size({"width": 820, "height": 1180})
    open_logic(page, live_server.url, "&gate=xor")
    page.click("[data-gate-network=xor]")
    page.wait_for_function("() => document.querySelector('[data-truth-table]').dataset.right === '4'")
    fit = page.evaluate("""() => {
        const scroll = document.querySelector('.truth-scroll');
        const panel = document.querySelector('.network-panel').getBoundingClientRect();
        const table = document.querySelector('[data-truth-table]').getBoundingClientRect();
        const buttons = [...document.querySelectorAll('[data-gate-network]')].map((b) => b.getBoundingClientRect());
        return {scrolls: scroll.scrollWidth > scroll.clientWidth, inside: table.right <= panel.right && table.left >= panel.left,
                buttons: buttons.every((b) => b.right <= panel.right)};
    }""")
    assert fit == {"scrolls": False, "inside": True, "buttons": True}
    shot(page, output_path, "logic-tablet", full_page=True)
    # Three layers of 8: the hidden columns scroll sideways between the inputs and ŷ, the target
    # and the mark, which stay in view (and the caption with them).
    page.goto(f"{live_server.url}/#seed=0.12345&{LOGIC}&gate=xor&network_shape=8,8,8")
    wait_setting(page, "network_shape", "8,8,8")
    expect(page.locator("[data-truth-table] thead th[data-layer='2']")).to_have_count(8)
    page.wait_for_function("() => document.querySelector('[data-truth-table]').classList.contains('pinned')")
    seen = page.evaluate("""() => {
        const scroll = document.querySelector('.truth-scroll');
        scroll.scrollLeft = (scroll.scrollWidth - scroll.clientWidth) / 2;
        const box = scroll.getBoundingClientRect();
        const inView = (el) => { const r = el.getBoundingClientRect(); return r.left >= box.left - 0.5 && r.right <= box.right + 0.5; };
        const row = document.querySelector('[data-truth-row]');
        return {scrolls: scroll.scrollWidth > scroll.clientWidth,
                pinned: [...row.querySelectorAll('th'), row.querySelector('[data-truth-output]'), row.querySelector('[data-truth-target]'),
                         row.querySelector('[data-truth-mark]'), document.querySelector('[data-truth-title]')].every(inView),
                firstUnit: inView(row.querySelector('[data-truth-cell]'))};
    }""")
    assert seen == {"scrolls": True, "pinned": True, "firstUnit": False}


def test_the_lessons_show_me_fills_the_truth_table(playground):
    page = playground("lesson=logic-gates")
    expect(page.locator("[data-truth-box]")).to_be_visible()
    expect(page.locator(".x-axis [data-axis-end=high]")).to_have_text("1.5")
    page.click("[data-action=show-me]")
    wait_setting(page, "edits", "b0.0:-10,w0.0.0:20,w0.1.0:20")
    page.wait_for_function("() => document.querySelector('[data-truth-table]').dataset.right === '4'")

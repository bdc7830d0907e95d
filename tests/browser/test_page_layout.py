"""The page on the screens a class uses: a tablet shows the play button, the network and the big map
on its first screen, a phone's diagram never piles nodes or labels on each other, the toolbar leaves
no menu alone on a row, menus show their whole text, and a finger has gestures of its own (a tap
shows, the card's Edit button edits; the on-screen keyboard comes only with that)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from playground_page import open_page, settings, shot, wait_setting

SIX_BY_EIGHT = "network_shape=8,8,8,8,8,8"
TOOLBAR_MENUS = [f"select[data-config={key}]" for key in
                 ("learning_rate", "activation", "regularization", "regularization_rate", "problem", "loss",
                  "optimizer")] + ["[data-speed]"]


@pytest.fixture
def device(browser, live_server):
    """open(width, height, touch, hash=""): the page in a context of that size; touch is a phone or
    tablet (a touch screen that cannot hover). Full-page screenshots would drop the touch emulation
    while they are taken, so a touch page's shots are of its screen."""
    contexts = []

    def open_(width: int, height: int, touch: bool, hash_: str = "") -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      has_touch=touch, is_mobile=touch)
        contexts.append(context)
        return open_page(context.new_page(), live_server.url, hash_)

    yield open_
    for context in contexts:
        context.close()


def wait_shape(page: Page, shape: str) -> None:
    page.wait_for_function("s => document.querySelector('[data-network]').dataset.shape === s", arg=shape)


def boxes(page: Page, selector: str) -> list[dict]:
    return [box for box in page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {x: r.left, y: r.top, width: r.width, height: r.height, name: e.dataset.neuron ?? e.dataset.node ?? ''};
    })""") if box["width"] > 0]


def text_boxes(page: Page, selector: str) -> list[dict]:
    """Where the text of each element is drawn (its ink, overflow included), not its box."""
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const range = document.createRange();
        range.selectNodeContents(e);
        const r = range.getBoundingClientRect();
        return {x: r.left, y: r.top, width: r.width, height: r.height, name: e.textContent};
    })""")


def gap(a: dict, b: dict) -> float:
    """How far apart two boxes are (negative: by how much they overlap), along the freer axis."""
    dx = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))
    dy = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return max(dx, dy)


def assert_apart(items: list[dict], least: float, what: str) -> None:
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            assert gap(a, b) >= least, f"{what}: {a} and {b} are {gap(a, b):.1f}px apart"


def assert_diagram_reads(page: Page, where: str) -> None:
    """No two nodes, layer labels or +/− buttons of the diagram touch, no label sits on a node, and
    no bias square on a node."""
    nodes = boxes(page, ", ".join(f"[data-network] [data-node={kind}]" for kind in ("input", "hidden", "output")))
    squares = page.eval_on_selector_all("[data-network] [data-bias]", """rects => rects.map(e => {
        const svg = e.ownerSVGElement.getBoundingClientRect();  // the square drawn inside its hit area
        return {x: svg.left + e.x.baseVal.value + 3, y: svg.top + e.y.baseVal.value + 3,
                width: e.width.baseVal.value - 6, height: e.height.baseVal.value - 6};
    })""")
    labels = text_boxes(page, "[data-network] [data-layer-size]")
    buttons = boxes(page, "[data-network] [data-action]")
    assert len(labels) == len(page.get_attribute("[data-network]", "data-shape").split(","))
    assert_apart(nodes, 4, f"{where}: nodes")
    assert_apart(labels, 4, f"{where}: layer labels")
    assert_apart(buttons, 1, f"{where}: +/− buttons")
    for label in labels:
        for other in nodes + buttons:
            assert gap(label, other) >= 0, f"{where}: label {label} lies on {other}"
    for square in squares:
        for node in nodes:
            assert gap(square, node) >= 2, f"{where}: bias square {square} touches {node}"


def inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


@pytest.mark.parametrize("width,height", [(768, 1024), (1024, 768)], ids=["portrait", "landscape"])
def test_a_tablet_shows_play_the_network_and_the_map_on_its_first_screen(device, width, height, output_path):
    page = device(width, height, touch=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    play = page.locator("[data-action=play]").bounding_box()
    diagram = page.locator("[data-network]").bounding_box()
    big_map = page.locator("[data-map]").bounding_box()
    for name, box in [("play", play), ("diagram", diagram), ("map", big_map)]:
        assert inside(box, width, height), f"{name} {box} is not on the first {width}×{height} screen"
    assert big_map["width"] >= 240, big_map
    assert diagram["width"] >= 380 and diagram["height"] >= 340, diagram
    assert page.evaluate("() => window.scrollY") == 0
    shot(page, output_path, f"layout-tablet-{width}x{height}", full_page=False)


@pytest.mark.parametrize("shape", ["8,8,8,8", "8,8,8,8,8,8"])
def test_a_phone_diagram_keeps_nodes_and_labels_apart_and_its_controls_in_reach(device, shape, output_path):
    page = device(390, 844, touch=True, hash_=f"network_shape={shape}")
    wait_shape(page, shape)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    assert_diagram_reads(page, f"390px, {shape}")
    panel = page.locator("[data-network]").bounding_box()
    assert panel["x"] + panel["width"] <= 390
    if shape.count(",") == 5:
        # Six layers need more room than a phone has: the diagram scrolls inside its panel, and its
        # last layer's buttons and the output are reached by scrolling it.
        assert page.get_attribute("[data-network]", "data-scrolls") == "true"
        page.locator("[data-network]").scroll_into_view_if_needed()
        shot(page, output_path, "layout-phone-6-layers", full_page=False)
        page.tap("[data-action=remove-neuron][data-layer='5']")
        wait_setting(page, "network_shape", "8,8,8,8,8,7")
        output = page.locator("[data-node=output]")
        output.scroll_into_view_if_needed()
        assert inside(output.bounding_box(), 390, 844)
    else:
        page.tap("[data-action=remove-neuron][data-layer='3']")
        wait_setting(page, "network_shape", "8,8,8,7")


@pytest.mark.parametrize("width,touch", [(1024, False), (1024, True), (900, False), (768, True)])
def test_six_layers_of_eight_label_each_layer_apart(device, width, touch, output_path):
    page = device(width, 900, touch=touch, hash_=SIX_BY_EIGHT)
    wait_shape(page, "8,8,8,8,8,8")
    assert_diagram_reads(page, f"{width}px{' touch' if touch else ''}")
    assert page.get_attribute("[data-network]", "data-scrolls") == "false", "the panel has room for six layers"
    if width == 1024 and not touch:
        shot(page, output_path, "layout-6x8-1024", full_page=False)


@pytest.mark.parametrize("width", [1024, 1280, 1366, 1440, 1536, 1920])
def test_the_toolbar_leaves_no_menu_alone_on_a_row(device, width, output_path):
    page = device(width, 900, touch=False)
    rows: dict[int, list[str]] = {}
    for selector in TOOLBAR_MENUS:
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= width, f"{selector} runs off the screen"
        rows.setdefault(round(box["y"]), []).append(selector)
    assert all(len(menus) >= 2 for menus in rows.values()), f"{width}px: {rows}"
    assert len(rows) <= (1 if width >= 1536 else 2), f"{width}px: the menus take {len(rows)} rows"
    if width == 1440:
        shot(page, output_path, "layout-toolbar-1440", full_page=False)


@pytest.mark.parametrize("width", [1024, 1100, 1180])
def test_more_settings_menus_show_their_whole_text(device, width):
    page = device(width, 900, touch=False)
    page.click("[data-control=advanced] summary")
    for key in ("batching", "init", "num_points"):
        select = page.locator(f"select[data-config={key}]")
        expect(select).to_be_visible()
        need, room = select.evaluate("""s => {
            const style = getComputedStyle(s);
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = `${style.fontSize} ${style.fontFamily}`;
            const text = Math.max(...[...s.options].map(o => ctx.measureText(o.textContent).width));
            return [text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight), s.clientWidth];
        }""")
        assert need <= room, f"{width}px: {key}'s longest option needs {need:.0f}px of {room}px"


def test_touch_taps_to_see_and_edits_with_the_card_button(device, output_path):
    page = device(768, 1024, touch=True)
    editor = page.locator("[data-editor]")
    card = page.locator("[data-tapcard]")
    hint = page.locator("[data-diagram-hint]").inner_text()
    assert "hover" not in hint.lower() and "click" not in hint.lower(), hint
    assert hint.startswith("Tap a neuron"), hint
    panel = page.locator("section[aria-labelledby=network-heading]").inner_text()
    assert "Tap to toggle" in panel and "Click" not in panel, panel

    # A tap on a hidden neuron shows its map; no editor, so no on-screen keyboard.
    neuron = "[data-node=hidden][data-neuron='1']"
    page.tap(neuron)
    page.wait_for_selector("[data-map][data-painted=neuron]")
    expect(page.locator("[data-map-label]")).to_have_text("Neuron 2 of hidden layer 1")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Neuron 2 of hidden layer 1")
    expect(editor).to_be_hidden()
    assert page.evaluate("() => document.activeElement.tagName") != "INPUT"
    shot(page, output_path, "layout-touch-neuron-card", full_page=False)

    # The card's button is the way to edit: the neuron's bias and weights, keyboard and all.
    card.locator("[data-action=edit]").tap()
    expect(editor).to_be_visible()
    expect(page.locator("[data-editor] input[data-editor-field='0']")).to_be_focused()
    expect(page.locator("[data-editor] input")).to_have_count(3)  # its bias and 2 weights
    expect(card).to_be_hidden()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    page.wait_for_selector("[data-map][data-painted=output]")

    # A second tap on the same neuron puts the output back on the map.
    page.tap(neuron)
    page.wait_for_selector("[data-map][data-painted=neuron]")
    page.tap(neuron)
    page.wait_for_selector("[data-map][data-painted=output]")
    expect(card).to_be_hidden()

    # A tap on a bias reads it; Edit types a new one, which the server applies (the hash says so).
    page.tap("[data-bias][data-layer='2'][data-node='0']")
    expect(card).to_contain_text("Bias of the output: ")
    expect(editor).to_be_hidden()
    card.locator("[data-action=edit]").tap()
    field = page.locator("[data-editor] input[data-editor-field='0']")
    expect(field).to_be_focused()
    field.fill("-2.5")
    field.press("Enter")
    expect(editor).to_be_hidden()
    wait_setting(page, "edits", "b2.0:-2.5")

    # A tap on a line reads its weight; a tap elsewhere puts the card away.
    link = page.locator("[data-link][data-layer='1'][data-from='0'][data-to='0']").bounding_box()
    page.touchscreen.tap(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
    expect(card).to_contain_text("Weight from neuron")
    expect(editor).to_be_hidden()
    page.tap("[data-map]")
    expect(card).to_be_hidden()
    assert settings(page)["edits"] == "b2.0:-2.5"


def test_a_mouse_still_hovers_to_see_and_clicks_to_edit(device):
    page = device(1280, 900, touch=False)
    hint = page.locator("[data-diagram-hint]").inner_text()
    assert hint.startswith("Hover a neuron"), hint
    page.hover("[data-node=hidden][data-neuron='0']")
    page.wait_for_selector("[data-map][data-painted=neuron]")
    expect(page.locator("[data-tapcard]")).to_be_hidden()
    page.click("[data-node=hidden][data-neuron='0']")
    expect(page.locator("[data-editor]")).to_be_visible()
    expect(page.locator("[data-tapcard]")).to_be_hidden()

"""The page by keyboard and screen reader: focus survives the diagram being rebuilt, the weight
editor never stays open behind the user's back, every control has a name of its own, and the
numbers that change while training are not live regions (one calm summary speaks instead).

Roles, names and live-region properties are read from Chromium's own accessibility tree (CDP)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from playground_page import epoch, settings, shot, wait_setting

FOCUSED = "(() => { const a = document.activeElement; return a === document.body ? 'body' : a.outerHTML.slice(0, 160); })()"
LIVE_ROLES = {"status", "log", "alert", "timer", "marquee"}


def computed(page: Page, selector: str) -> dict:
    """Chromium's accessibility node for the element: role, name and properties (live, …)."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_id = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node_id, f"no element {selector}"
        node = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False})["nodes"][0]
    finally:
        cdp.detach()
    return {
        "role": node.get("role", {}).get("value"),
        "name": node.get("name", {}).get("value"),
        **{p["name"]: p["value"].get("value") for p in node.get("properties", [])},
    }


def test_enter_on_a_feature_toggles_it_and_focus_stays_on_that_feature(playground):
    page = playground()
    # Tab from the panel head's last button reaches the first input feature.
    page.focus("[data-action=remove-layer]")
    page.keyboard.press("Tab")
    x = page.locator("[data-node=input][data-feature=x]")
    expect(x).to_be_focused()
    old = x.element_handle()
    page.keyboard.press("Enter")
    wait_setting(page, "features", "y")
    expect(x).to_have_attribute("aria-pressed", "false")
    assert not old.evaluate("el => el.isConnected"), "the diagram was rebuilt (the test means something)"
    expect(x).to_be_focused()
    page.keyboard.press("Enter")
    wait_setting(page, "features", "x,y")
    expect(x).to_be_focused()
    page.keyboard.press("Tab")  # and Tab goes on from there
    expect(page.locator("[data-node=input][data-feature=y]")).to_be_focused()


def test_enter_on_add_neuron_keeps_focus_on_that_layers_button(playground, output_path):
    page = playground()
    # Tab from the last neuron of hidden layer 2 reaches that layer's "add a neuron".
    page.focus("[data-node=hidden][data-layer='1'][data-index='1']")
    page.keyboard.press("Tab")
    add = page.locator("[data-network] [data-action=add-neuron][data-layer='1']")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    wait_setting(page, "network_shape", "4,3")
    expect(page.locator("[data-node=hidden][data-layer='1']")).to_have_count(3)
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    wait_setting(page, "network_shape", "4,4")
    expect(add).to_be_focused()
    shot(page, output_path, "keyboard-add-neuron-focus", full_page=False)


def test_focus_goes_to_the_nearest_control_when_its_own_is_gone_or_disabled(playground):
    page = playground("network_shape=2,2")
    # Down to one neuron, "remove" is disabled: focus moves to the same layer's "add".
    page.focus("[data-network] [data-action=remove-neuron][data-layer='0']")
    page.keyboard.press("Enter")
    wait_setting(page, "network_shape", "1,2")
    expect(page.locator("[data-network] [data-action=remove-neuron][data-layer='0']")).to_be_disabled()
    expect(page.locator("[data-network] [data-action=add-neuron][data-layer='0']")).to_be_focused()
    # A focused neuron whose layer goes (here by a pasted link): the same neuron of the last layer left.
    page.focus("[data-node=hidden][data-layer='1'][data-index='1']")
    hash_ = page.evaluate("location.hash").replace("network_shape=1,2", "network_shape=3")
    page.evaluate("h => { location.hash = h; }", hash_)
    wait_setting(page, "network_shape", "3")
    expect(page.locator("[data-node=hidden][data-layer='0'][data-index='1']")).to_be_focused()
    # The panel head's buttons: at no hidden layers "remove" is disabled, focus moves to "add".
    page.focus("[data-action=remove-layer]")
    page.keyboard.press("Enter")
    wait_setting(page, "network_shape", "")
    expect(page.locator("[data-action=add-layer]")).to_be_focused()
    # With no hidden layer left, a focused layer button's nearest is the output.
    page.keyboard.press("Enter")
    wait_setting(page, "network_shape", "2")
    page.focus("[data-network] [data-action=add-neuron][data-layer='0']")
    hash_ = page.evaluate("location.hash").replace("network_shape=2", "network_shape=")
    page.evaluate("h => { location.hash = h; }", hash_)
    wait_setting(page, "network_shape", "")
    expect(page.locator("[data-node=output]")).to_be_focused()
    assert page.evaluate(FOCUSED) != "body"


def test_a_dataset_button_keeps_focus_when_the_buttons_are_rebuilt(playground):
    page = playground()
    page.focus("[data-dataset=xor]")
    page.evaluate("() => { location.hash = 'problem=regression'; }")  # another problem's datasets
    page.wait_for_function("() => /problem=regression/.test(location.hash) && /dataset=/.test(location.hash)")  # the server's answer
    pressed = page.locator("[data-dataset][aria-pressed=true]")
    expect(pressed).to_have_attribute("data-dataset", settings(page)["dataset"])
    expect(pressed).to_be_focused()


def test_the_editor_closes_when_focus_tabs_out_and_hands_focus_back(playground, output_path):
    page = playground()
    editor = page.locator("[data-editor]")
    neuron = page.locator("[data-node=hidden][data-neuron='4']")  # hidden layer 2: bias + 4 weights
    neuron.focus()
    page.keyboard.press("Enter")
    expect(editor).to_be_visible()
    fields = editor.locator("input")
    expect(fields).to_have_count(5)
    expect(fields.first).to_be_focused()
    for _ in range(4 + 1):  # the other four fields, then Set
        page.keyboard.press("Tab")
    expect(editor.get_by_role("button", name="Set")).to_be_focused()
    shot(page, output_path, "keyboard-editor-open", full_page=False)
    page.keyboard.press("Tab")
    cancel = editor.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    # Past Cancel: closed, and focus goes on to what follows the neuron in the Tab order.
    page.keyboard.press("Tab")
    expect(editor).to_be_hidden()
    expect(page.locator("[data-node=hidden][data-neuron='5']")).to_be_focused()
    # Shift+Tab before the first field: closed, back on the neuron.
    neuron.focus()
    page.keyboard.press("Enter")
    expect(fields.first).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(editor).to_be_hidden()
    expect(neuron).to_be_focused()
    # Escape and Cancel: closed, back on the neuron.
    page.keyboard.press("Enter")
    expect(fields.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    expect(neuron).to_be_focused()
    page.keyboard.press("Enter")
    cancel.focus()
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    expect(neuron).to_be_focused()
    # Set: the value is sent, and focus is back on the neuron.
    page.keyboard.press("Enter")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    expect(neuron).to_be_focused()
    page.wait_for_function("() => location.hash.includes('edits=b1.0:2')")


def test_an_editor_opened_by_clicking_a_link_also_closes_when_tabbed_out_of(playground):
    page = playground()
    editor = page.locator("[data-editor]")
    link = "[data-link][data-layer='2'][data-from='0']"
    page.click(link)
    expect(editor).to_be_visible()
    page.keyboard.press("Shift+Tab")  # nothing focusable opened it: the stop before it, the output
    expect(editor).to_be_hidden()
    expect(page.locator("[data-node=output]")).to_be_focused()
    page.click(link)
    for _ in range(3):  # Set, Cancel, past Cancel
        page.keyboard.press("Tab")
    expect(editor).to_be_hidden()
    expect(page.locator("[data-action=step-through]")).to_be_focused()  # the next control, under the diagram


def test_every_control_has_a_name_of_its_own(playground):
    page = playground()
    page.select_option("select[data-config=problem]", "multiclass")  # shows the classes slider
    wait_setting(page, "problem", "multiclass")
    page.click("details[data-control=advanced] summary")
    sliders = {"num_classes": "Classes", "train_ratio": "Ratio of training to test data",
               "noise": "Noise", "batch_size": "Batch size"}
    for key, name in sliders.items():
        node = computed(page, f"input[data-config={key}]")
        assert (node["role"], node["name"]) == ("slider", name), key
        expect(page.get_by_role("slider", name=name, exact=True)).to_have_attribute("data-config", key)
    # The value with its unit, as it is shown.
    ratio = page.get_by_role("slider", name="Ratio of training to test data", exact=True)
    expect(ratio).to_have_attribute("aria-valuetext", "50%")
    ratio.focus()
    page.keyboard.press("ArrowRight")
    expect(ratio).to_have_attribute("aria-valuetext", "60%")
    menus = {"learning_rate": "Learning rate", "activation": "Activation", "regularization": "Regularization",
             "regularization_rate": "Regularization rate", "problem": "Problem type", "loss": "Loss",
             "optimizer": "Optimizer", "num_points": "Number of points", "batching": "Batches",
             "init": "Starting weights"}
    for key, name in menus.items():
        node = computed(page, f"select[data-config={key}]")
        assert (node["role"], node["name"]) == ("combobox", name), key
    assert computed(page, "[data-speed]")["name"] == "Speed"
    seed = computed(page, "input[data-config=seed]")
    assert (seed["role"], seed["name"]) == ("textbox", "Seed")  # the hint is its description, not its name
    for key, name in {"showTestData": "Show test data", "discretize": "Discretize output"}.items():
        node = computed(page, f"[data-display={key}]")
        assert (node["role"], node["name"]) == ("checkbox", name)


def test_readouts_are_quiet_and_a_summary_speaks_after_a_step_and_a_pause(playground):
    page = playground()
    readouts = ["[data-epoch-counter]", "[data-metric=test_loss]", "[data-metric=train_loss]",
                "[data-metric=test_accuracy]", "[data-metric=train_accuracy]"]
    for selector in readouts:
        node = computed(page, selector)
        assert node["role"] not in LIVE_ROLES, (selector, node)
        assert node.get("live", "off") == "off", (selector, node)
    summary = page.locator("[data-training-summary]")
    node = computed(page, "[data-training-summary]")
    assert (node["role"], node["live"]) == ("status", "polite")
    expect(summary).to_be_empty()  # nothing said on load
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    test_loss = page.text_content("[data-metric=test_loss]")
    train_loss = page.text_content("[data-metric=train_loss]")
    expect(summary).to_contain_text(f"epoch 1. Test loss {test_loss}, training loss {train_loss}.")
    # Silent while playing; one summary when it pauses.
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 30")
    expect(summary).to_be_empty()
    page.click("[data-action=play]")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    stopped = epoch(page)
    expect(summary).to_contain_text(f"Paused at epoch {stopped:,}. Test loss {page.text_content('[data-metric=test_loss]')}")
    assert page.text_content("[data-epoch-counter]") == f"{stopped:07,}", "the visible counter still counts"

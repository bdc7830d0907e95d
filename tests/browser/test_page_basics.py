"""The page's core loop: it loads with the default network and a painted map, trains, and lets the
user reshape the network and edit weights, by mouse and by keyboard."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import (epoch, loss, map_colours, map_fingerprint, settings, shot, wait_new_frame,
                             wait_setting, frames_rendered)


def test_first_load_shows_the_default_network_and_a_painted_map(playground, output_path):
    page = playground()
    diagram = page.locator("[data-network]")
    expect(diagram.locator("[data-node=input]")).to_have_count(7)
    expect(diagram.locator("[data-node=input][aria-pressed=true]")).to_have_count(2)
    expect(diagram.locator("[data-node=hidden]")).to_have_count(6)
    expect(diagram.locator("[data-node=output]")).to_have_count(1)
    expect(diagram.locator("[data-link]")).to_have_count(2 * 4 + 4 * 2 + 2 * 1)
    expect(page.locator("[data-layer-count]")).to_have_text("2")
    expect(page.locator("[data-epoch-counter]")).to_have_text("000,000")
    expect(page.locator("[data-dataset=circle]")).to_have_attribute("aria-pressed", "true")
    assert map_colours(page) >= 2, "the output map is painted (at epoch 0 it spans a few of the 31 shades)"
    assert int(page.get_attribute("[data-points-canvas]", "data-points")) == 250  # the training half
    s = settings(page)
    assert (s["network_shape"], s["features"], s["dataset"], s["seed"]) == ("4,2", "x,y", "circle", "0.12345")
    float(page.text_content("[data-metric=test_loss]"))  # a number, not a placeholder
    shot(page, output_path, "first-load")


def test_play_raises_the_epoch_and_lowers_the_test_loss_on_circle(playground, output_path):
    page = playground()
    start = loss(page, "test")
    page.click("[data-action=play]")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "true")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) >= 150")
    page.wait_for_function(
        "start => Number(document.querySelector('[data-metric=test_loss]').textContent) < start - 0.2", arg=start)
    page.click("[data-action=play]")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    assert epoch(page) >= 150
    assert loss(page, "test") < 0.2
    assert int(page.get_attribute("[data-loss-chart]", "data-points")) > 10
    shot(page, output_path, "circle-trained")


def test_step_and_reset(playground):
    page = playground()
    page.click("[data-action=step]")
    page.wait_for_selector("[data-app][data-epoch='1']")
    expect(page.locator("[data-epoch-counter]")).to_have_text("000,001")
    page.click("[data-action=reset]")
    page.wait_for_selector("[data-app][data-epoch='0']")


def test_adding_a_layer_and_a_neuron_updates_the_diagram(playground, output_path):
    page = playground()
    diagram = page.locator("[data-network]")
    page.click("[data-action=add-layer]")
    wait_setting(page, "network_shape", "4,2,2")  # a new layer starts with 2 neurons, as the original
    expect(diagram).to_have_attribute("data-shape", "4,2,2")
    expect(diagram.locator("[data-node=hidden]")).to_have_count(8)
    expect(page.locator("[data-layer-count]")).to_have_text("3")
    page.click("[data-network] [data-action=add-neuron][data-layer='2']")
    wait_setting(page, "network_shape", "4,2,3")
    expect(diagram.locator("[data-node=hidden][data-layer='2']")).to_have_count(3)
    expect(diagram.locator("[data-link]")).to_have_count(2 * 4 + 4 * 2 + 2 * 3 + 3 * 1)
    shot(page, output_path, "three-layers")
    page.click("[data-network] [data-action=remove-neuron][data-layer='0']")
    wait_setting(page, "network_shape", "3,2,3")
    page.click("[data-action=remove-layer]")
    wait_setting(page, "network_shape", "3,2")
    expect(diagram.locator("[data-node=hidden]")).to_have_count(5)


def test_toggling_a_feature_adds_its_input(playground):
    page = playground()
    page.click("[data-node=input][data-feature=xTimesY]")
    wait_setting(page, "features", "x,y,xTimesY")
    expect(page.locator("[data-node=input][data-feature=xTimesY]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-link][data-layer='0']")).to_have_count(3 * 4)
    page.click("[data-node=input][data-feature=x]")
    wait_setting(page, "features", "y,xTimesY")


def test_hovering_a_neuron_shows_its_map_and_hovering_a_link_reads_its_weight(playground, output_path):
    page = playground()
    output_map = map_fingerprint(page)
    page.hover("[data-node=hidden][data-neuron='0']")
    page.wait_for_selector("[data-map][data-painted=neuron]")
    expect(page.locator("[data-map-label]")).to_have_text("Neuron 1 of hidden layer 1")
    assert map_fingerprint(page) != output_map
    page.hover("[data-node=input][data-feature=sinX]")
    expect(page.locator("[data-map-label]")).to_have_text("Input feature sin(X₁)")
    page.mouse.move(0, 0)
    page.wait_for_selector("[data-map][data-painted=output]")
    expect(page.locator("[data-map-label]")).to_be_hidden()
    link = page.locator("[data-link][data-layer='2'][data-from='0']")
    link.hover()
    card = page.locator("[data-hovercard]")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Weight from neuron 1 of hidden layer 2 to the output")
    shot(page, output_path, "hover-link")


def test_editing_a_weight_changes_the_map(playground, output_path):
    page = playground()
    before = map_fingerprint(page)
    frames = frames_rendered(page)
    page.click("[data-link][data-layer='2'][data-from='0']")
    field = page.locator("[data-editor] input[data-editor-field='0']")
    expect(field).to_be_focused()
    field.fill("4")
    shot(page, output_path, "editing-weight")
    field.press("Enter")
    expect(page.locator("[data-editor]")).to_be_hidden()
    wait_new_frame(page, frames)
    assert map_fingerprint(page) != before
    page.locator("[data-link][data-layer='2'][data-from='0']").hover()
    expect(page.locator("[data-hovercard]")).to_contain_text(": 4.000")
    # The output's bias too (the original hides it).
    before = map_fingerprint(page)
    frames = frames_rendered(page)
    page.click("[data-bias][data-layer='2'][data-node='0']")
    page.fill("[data-editor] input[data-editor-field='0']", "-2.5")
    page.press("[data-editor] input[data-editor-field='0']", "Enter")
    wait_new_frame(page, frames)
    assert map_fingerprint(page) != before


def test_keyboard_alone_can_train_inspect_and_edit(playground):
    page = playground()
    play = page.locator("[data-action=play]")
    play.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "true")
    page.keyboard.press("Enter")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    expect(play).to_have_accessible_name("Run training")
    # Focus reaches a neuron: its map shows; Enter opens its bias and weights for typing.
    neuron = page.locator("[data-node=hidden][data-neuron='4']")
    neuron.focus()
    page.wait_for_selector("[data-map][data-painted=neuron]")
    frames = frames_rendered(page)
    page.keyboard.press("Enter")
    editor = page.locator("[data-editor]")
    expect(editor).to_be_visible()
    expect(editor.locator("input")).to_have_count(1 + 4)  # bias + a weight from each of 4 neurons
    expect(editor.locator("input").first).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    wait_new_frame(page, frames)
    # Every control in the toolbar has an accessible name.
    for select in page.locator(".toolbar select").all():
        assert select.evaluate("el => el.labels.length > 0 || el.hasAttribute('aria-label')")


def test_a_busy_session_logs_no_errors(page, live_server):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    from playground_page import open_page
    open_page(page, live_server.url)
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 50")
    for neuron in range(6):
        page.hover(f"[data-node=hidden][data-neuron='{neuron}']")
    page.hover("[data-node=input][data-feature=xTimesY]")
    page.click("[data-action=add-layer]")
    wait_setting(page, "network_shape", "4,2,2")
    page.select_option("select[data-config=problem]", "multiclass")
    wait_setting(page, "problem", "multiclass")
    page.select_option("select[data-config=problem]", "regression")
    wait_setting(page, "problem", "regression")
    page.click("[data-action=remove-layer]")
    page.click("[data-action=remove-layer]")
    page.click("[data-action=remove-layer]")
    wait_setting(page, "network_shape", "")
    page.click("[data-action=step]")
    page.set_viewport_size({"width": 800, "height": 1000})
    page.wait_for_function("() => document.querySelector('[data-network]').clientWidth < 780")
    assert problems == []

"""Beyond the original: several classes, a diverged run that explains itself, a loss chart whose
cost does not grow, and a layout that works on a tablet."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import map_colours, open_page, shot, wait_setting


def on_map(colour: str) -> str:
    """A colour as maps paint it: at the original's alpha 160/255 over white."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (c - 255) * 160 / 255):02x}" for c in channels)


def map_palette(page) -> dict[str, int]:
    """Pixel counts of each colour on the big map, as #rrggbb."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('[data-map-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const counts = {};
            for (let i = 0; i < d.length; i += 4) {
                const hex = '#' + [d[i], d[i + 1], d[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('');
                counts[hex] = (counts[hex] || 0) + 1;
            }
            return counts;
        }""")


def test_multiclass_runs_show_k_colours(playground, output_path):
    page = playground("problem=multiclass&dataset=multi-gauss&num_classes=4&network_shape=6,4"
                      "&learning_rate=0.1&activation=tanh&features=x,y&seed=0.3")
    wait_setting(page, "num_classes", "4")
    expect(page.locator("[data-node=output]")).to_have_count(4)
    expect(page.locator("[data-legend-classes] li")).to_have_count(4)
    page.click("[data-action=play]")
    page.wait_for_function("() => parseFloat(document.querySelector('[data-metric=train_accuracy]').textContent) > 95")
    page.click("[data-action=play]")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    assert map_colours(page) > 4, "regions are shaded by confidence"
    shot(page, output_path, "multiclass-4")
    page.check("[data-display=discretize]")
    page.wait_for_function(
        """() => {
            const c = document.querySelector('[data-map-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            return seen.size === 4;
        }""")
    palette = map_palette(page)
    classes = page.evaluate("async () => (await import('/static/js/colors.js')).CLASS_COLORS")
    assert sorted(palette) == sorted(on_map(c) for c in classes[:4]), palette
    assert min(palette.values()) > 0.05 * 100 * 100, "each class owns a real region"


def test_a_diverged_run_says_so_and_offers_a_way_out(playground, output_path):
    page = playground("problem=regression&dataset=reg-plane&network_shape=8,8,8&activation=linear"
                      "&learning_rate=10&batch_size=1&speed=10")
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-diverged=true]")
    notice = page.locator("[data-diverged-notice]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("diverged")
    expect(page.locator("[data-app]")).to_have_attribute("data-playing", "false")
    # The map keeps the last finite state: painted, not black, not empty.
    palette = map_palette(page)
    assert "#000000" not in palette and len(palette) >= 1
    shot(page, output_path, "diverged")
    page.click("[data-action=lower-rate]")
    page.wait_for_selector("[data-app][data-diverged=false]")
    wait_setting(page, "learning_rate", "3")
    expect(notice).to_be_hidden()
    expect(page.locator("[data-epoch-counter]")).to_have_text("000,000")


def test_the_loss_chart_stays_the_same_size_after_10000_epochs(playground):
    page = playground()
    page.select_option("select[data-speed]", "100")
    wait_setting(page, "speed", "100")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) > 10000",
                           timeout=60_000)
    page.click("[data-action=play]")
    points = int(page.get_attribute("[data-loss-chart]", "data-points"))
    assert 100 <= points <= 400, points  # fixed capacity, thinned as epochs grow


def test_tablet_portrait_and_landscape(browser, live_server, output_path):
    for width, height, name in [(768, 1024, "tablet-portrait"), (1024, 768, "tablet-landscape")]:
        context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
        page = context.new_page()
        open_page(page, live_server.url)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        panel = page.locator(".network-panel").bounding_box()
        for node in page.locator("[data-network] [data-node]").all():
            box = node.bounding_box()
            assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"], name
        assert page.locator("[data-map]").bounding_box()["width"] >= 240
        # Touch: tapping a neuron pins its map (no hover on a tablet); its card's button edits.
        page.tap("[data-node=hidden][data-neuron='1']")
        page.wait_for_selector("[data-map][data-painted=neuron]")
        expect(page.locator("[data-editor]")).to_be_hidden()
        page.tap("[data-tapcard] [data-action=edit]")
        expect(page.locator("[data-editor]")).to_be_visible()
        shot(page, output_path, name, full_page=False)  # a full-page shot would drop the touch screen
        page.keyboard.press("Escape")
        expect(page.locator("[data-editor]")).to_be_hidden()
        context.close()

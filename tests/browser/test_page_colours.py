"""Colours: the class colours stay apart from each other and from the weight scale under every
simulated colour-vision deficiency (computed from the colours the page's own module holds), the
−1…1 legend stays in multi-class beside the class key, and "discretize output" paints every
thumbnail as signs, as the original does."""

from __future__ import annotations

import itertools

import numpy as np
from playwright.sync_api import expect

from colour_vision import VISIONS, difference, hex_rgb
from playground_page import shot, train, wait_setting

# CIEDE2000 floors under normal vision, protanopia, deuteranopia and tritanopia alike. The palette
# clears them by 2-3 units (scripts/class_palette.py prints its own smallest values); the old one
# (the weight scale's own orange and blue as classes 1 and 2) had 0 against the weights and 0.6
# between two classes under protanopia.
FILLS_APART = 15  # two classes' points
TINTS_APART = 10  # two classes' regions on the map (full confidence)
FROM_WEIGHTS = 15  # a class's points from the weight scale's orange and blue
TINT_FROM_WEIGHTS = 9  # a class's region from the orange and blue of a neuron's map
TINT_FROM_TOSS_UP = 8  # a sure region from the near-white of a toss-up


def page_colours(page) -> dict:
    """The colours the page paints with, straight from static/js/colors.js: class fills, each
    class's full-confidence map colour, the weight scale's ends and middle, and how maps paint
    them (the lookup tables' own bytes)."""
    return page.evaluate(
        """async () => {
            const c = await import('/static/js/colors.js');
            const rgba = (lut, byte) => [...new Uint8Array(lut.buffer, byte * 4, 3)];
            return {
                classes: c.CLASS_COLORS,
                classTints: c.CLASS_COLORS.map((_, k) => rgba(c.CLASS_LUT, (k << 5) | 31)),
                weights: [c.rgbOf(-1), c.rgbOf(1)],
                weightTints: [rgba(c.VALUE_LUT, 0), rgba(c.VALUE_LUT, 255)],
                nearWhiteTint: rgba(c.VALUE_LUT, 128),
            };
        }""")


def smallest(pairs, vision):
    """The closest of (name, colour, colour) pairs as `vision` sees them."""
    return min(((float(difference(a, b, vision)), name) for name, a, b in pairs), key=lambda t: t[0])


def test_class_colours_stay_apart_under_every_colour_vision(modules):
    c = page_colours(modules)
    assert len(c["classes"]) == 6  # num_classes runs to 6
    fills = {f"class {k + 1}": hex_rgb(h) for k, h in enumerate(c["classes"])}
    tints = {f"class {k + 1}": np.array(t, float) for k, t in enumerate(c["classTints"])}
    ends = {"orange": np.array(c["weights"][0], float), "blue": np.array(c["weights"][1], float)}
    end_tints = {"orange": np.array(c["weightTints"][0], float), "blue": np.array(c["weightTints"][1], float)}
    toss_up = np.array(c["nearWhiteTint"], float)
    checks = [
        ("points of two classes", FILLS_APART,
         [(f"{a}/{b}", fills[a], fills[b]) for a, b in itertools.combinations(fills, 2)]),
        ("regions of two classes", TINTS_APART,
         [(f"{a}/{b}", tints[a], tints[b]) for a, b in itertools.combinations(tints, 2)]),
        ("a class's points and a weight colour", FROM_WEIGHTS,
         [(f"{k}/{e}", fills[k], ends[e]) for k in fills for e in ends]),
        ("a class's region and a neuron map's ends", TINT_FROM_WEIGHTS,
         [(f"{k}/{e}", tints[k], end_tints[e]) for k in tints for e in end_tints]),
        ("a class's region and a toss-up", TINT_FROM_TOSS_UP,
         [(k, tints[k], toss_up) for k in tints]),
    ]
    failures = []
    for vision in VISIONS:
        for what, floor, pairs in checks:
            distance, name = smallest(pairs, vision)
            if distance < floor:
                failures.append(f"{vision}: {what} ({name}) only {distance:.1f} apart, want ≥ {floor}")
    assert not failures, "\n".join(failures)


def css_rgb(hex_colour: str) -> str:
    r, g, b = (int(v) for v in hex_rgb(hex_colour))
    return f"rgb({r}, {g}, {b})"


def test_multiclass_keeps_the_weight_legend_beside_the_class_key(playground, output_path):
    page = playground("problem=multiclass&num_classes=6&dataset=multi-pie&network_shape=6,6")
    wait_setting(page, "num_classes", "6")
    scale = page.locator("[data-legend-scale]")
    expect(scale).to_be_visible()
    expect(scale).to_contain_text("Neurons and weights")
    expect(page.locator("[data-legend-bar]")).to_be_visible()
    expect(page.locator("[data-legend-classes]")).to_be_visible()
    classes = page.evaluate("async () => (await import('/static/js/colors.js')).CLASS_COLORS")
    items = page.locator("[data-legend-classes] li")
    expect(items).to_have_count(6)
    swatches = page.eval_on_selector_all("[data-legend-classes] .swatch", "s => s.map(e => getComputedStyle(e).backgroundColor)")
    outputs = page.eval_on_selector_all("[data-node=output]", "s => s.map(e => getComputedStyle(e).backgroundColor)")
    assert swatches == outputs == [css_rgb(h) for h in classes], "the key, the output nodes and the map share one palette"
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) >= 150")
    page.click("[data-action=play]")
    shot(page, output_path, "colours-multiclass-6")

    page.select_option("select[data-config=problem]", "classification")
    wait_setting(page, "problem", "classification")
    expect(scale).to_be_visible()
    expect(scale).to_contain_text("Data, neurons and weights")
    expect(page.locator("[data-legend-classes]")).to_be_hidden()


def thumbnail_colours(page) -> dict:
    """Distinct colours of the hidden, input and output thumbnails, as 0xRRGGBB numbers."""
    return page.evaluate(
        """() => {
            const colours = (selector) => {
                const seen = new Set();
                for (const c of document.querySelectorAll(selector)) {
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                }
                return [...seen].sort((a, b) => a - b);
            };
            return {hidden: colours('[data-node=hidden] canvas'), input: colours('[data-node=input] canvas'),
                    output: colours('[data-node=output] canvas')};
        }""")


def test_discretize_paints_every_thumbnail_as_signs(playground, output_path):
    page = playground("problem=classification&dataset=circle&network_shape=4,3&features=x,y&seed=7")
    train(page, 50)
    shades = page.evaluate(
        """async () => {
            const { DISCRETE_LUT } = await import('/static/js/colors.js');
            const b = new Uint8Array(DISCRETE_LUT.buffer);
            return [(b[0] << 16) | (b[1] << 8) | b[2], (b[1020] << 16) | (b[1021] << 8) | b[1022]].sort((x, y) => x - y);
        }""")
    before = thumbnail_colours(page)
    assert len(before["hidden"]) > 2 and len(before["input"]) > 2 and len(before["output"]) > 2
    frames = page.get_attribute("[data-map]", "data-frames-rendered")

    page.check("[data-display=discretize]")
    page.wait_for_function(
        """shades => [...document.querySelectorAll('[data-node] canvas')].every(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) if (!shades.includes((d[i] << 16) | (d[i + 1] << 8) | d[i + 2])) return false;
            return true;
        })""", arg=shades)
    on = thumbnail_colours(page)
    assert on["hidden"] == shades, "the hidden neurons show both signs, and nothing else"
    assert set(on["input"]) <= set(shades) and set(on["output"]) <= set(shades)
    # No frame was needed: the toggle itself repainted them.
    assert page.get_attribute("[data-map]", "data-frames-rendered") == frames
    shot(page, output_path, "colours-binary-discretized")

    page.uncheck("[data-display=discretize]")
    page.wait_for_function(
        "n => new Set([...document.querySelectorAll('[data-node=hidden] canvas')].flatMap(c => "
        "{ const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const out = [];"
        "  for (let i = 0; i < d.length; i += 4) out.push((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); return out; })).size === n",
        arg=len(before["hidden"]))
    assert thumbnail_colours(page) == before

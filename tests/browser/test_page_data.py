"""Your own data (issue 13, the page's half): "Your data" opens the drawing tools; clicks, taps,
drags and keys on the big map draw points of the chosen class, Erase and Undo take them back, a
CSV comes in by the file picker (a bad one is refused with its rows, and nothing changes) and goes
out by Export CSV; the points survive a reload and travel in a link's `points=`. What the server
holds is read from the URL hash, which the page writes from the server's own `data` message."""

from __future__ import annotations

from playwright.sync_api import expect

from playground_page import FIXED, open_page, settings, shot, wait_ready, wait_setting

TOOLS = "[data-user-tools]"
COUNT = "[data-user-count]"
ERROR = "[data-import-error]"


def open_tools(page) -> None:
    page.click("[data-user-data]")
    expect(page.locator(TOOLS)).to_be_visible()
    expect(page.locator("[data-user-data]")).to_have_attribute("aria-pressed", "true")


def at(page, x: float, y: float) -> tuple[float, float]:
    """The page position of the plane's point (x, y) on the big map ([−6, 6]²), scrolled into view."""
    page.locator("[data-map]").scroll_into_view_if_needed()
    box = page.locator("[data-map]").bounding_box()
    return box["x"] + (x + 6) / 12 * box["width"], box["y"] + (6 - y) / 12 * box["height"]


def click_plane(page, x: float, y: float) -> None:
    page.mouse.click(*at(page, x, y))


def server_points(page, count: int) -> list:
    """Wait until the server's data (the hash's points=) holds `count` points, and return them.
    (wait_for_function takes a promise for a truthy value: the predicate must not be async, so the
    hash module is put on the window first.)"""
    page.evaluate("async () => { window.__parsePoints = (await import('/static/js/hash.js')).parsePoints; }")
    points = page.wait_for_function(
        """(n) => {
            const value = new URLSearchParams(location.hash.slice(1)).get('points');
            const points = value === null ? null : window.__parsePoints(value).points;
            return points && points.length === n ? points : null;
        }""", arg=count)
    return points.json_value()


def near(points, x, y, tolerance=0.03):
    return [p for p in points if abs(p[0] - x) <= tolerance and abs(p[1] - y) <= tolerance]


def test_drawing_two_classes_makes_them_the_data(playground, output_path):
    page = playground()
    open_tools(page)
    expect(page.locator(COUNT)).to_have_text("No points yet.")
    # The settings that do not apply to your own points step aside; the batch size stays.
    for control in ("noise", "percTrainData", "regenerate"):
        expect(page.locator(f"[data-control={control}]")).to_be_hidden()
    expect(page.locator("[data-control=batchSize]")).to_be_visible()

    page.check("[data-user-class='-1']")
    for x, y in [(-3, -3), (-4, -2), (-2, -4)]:
        click_plane(page, x, y)
    page.check("[data-user-class='1']")
    for x, y in [(3, 3), (4, 2), (2, 4)]:
        click_plane(page, x, y)
    points = server_points(page, 6)
    wait_setting(page, "dataset", "custom")
    for x, y in [(-3, -3), (-4, -2), (-2, -4)]:
        assert [p[2] for p in near(points, x, y)] == [-1]
    for x, y in [(3, 3), (4, 2), (2, 4)]:
        assert [p[2] for p in near(points, x, y)] == [1]
    # Split as the ratio says (50 %): every other new point is for testing, the first for training.
    assert sorted(p[3] for p in points) == ["test"] * 3 + ["train"] * 3
    expect(page.locator(COUNT)).to_have_text("3 training points, 3 test points")
    # Every point on the map (test points too: the tools switch "Show test data" on).
    expect(page.locator("[data-display=showTestData]")).to_be_checked()
    expect(page.locator("[data-points-canvas]")).to_have_attribute("data-points", "6")
    # The clicks drew; they did not probe.
    assert page.get_attribute("[data-map]", "data-probe") is None
    shot(page, output_path, "data-tools-drawn")


def test_multiclass_draws_three_classes(playground):
    page = playground(f"{FIXED}&problem=multiclass")
    open_tools(page)
    # The problem's three classes and one more to start a new class.
    expect(page.locator("[data-user-class]")).to_have_count(4)
    for k, (x, y) in enumerate([(-3, 3), (3, 3), (0, -3)]):
        page.check(f"[data-user-class='{k}']")
        click_plane(page, x, y)
        click_plane(page, x + 1, y)
    points = server_points(page, 6)
    for k, (x, y) in enumerate([(-3, 3), (3, 3), (0, -3)]):
        assert [p[2] for p in near(points, x, y) + near(points, x + 1, y)] == [k, k]
    wait_setting(page, "problem", "multiclass")


def test_drag_paints_a_stroke_that_one_undo_takes_back(playground):
    page = playground()
    open_tools(page)
    click_plane(page, -5, -5)
    server_points(page, 1)
    page.mouse.move(*at(page, -4, 0))
    page.mouse.down()
    for i in range(1, 41):
        page.mouse.move(*at(page, -4 + i * 0.2, 0))
    page.mouse.up()
    # The page's own list has the stroke at once; wait until the server has all of it.
    drawn = page.evaluate("() => { const c = document.querySelector('[data-user-count]');"
                          " return Number(c.dataset.train) + Number(c.dataset.test); }")
    points = server_points(page, drawn)
    stroke = [p for p in points if abs(p[1]) < 0.05]
    assert len(stroke) >= 8, points  # spaced some pixels apart along the 8 units dragged
    assert max(p[0] for p in stroke) - min(p[0] for p in stroke) > 6
    page.click("[data-action=undo-points]")
    assert server_points(page, 1)[0][:2] == [-5, -5]
    expect(page.locator(COUNT)).to_have_text("1 training point, 0 test points")


def test_erase_removes_the_points_under_the_pointer_and_undo_brings_them_back(playground):
    page = playground()
    open_tools(page)
    for x, y in [(-3, 0), (0, 0), (3, 0)]:
        click_plane(page, x, y)
    server_points(page, 3)
    page.check("[data-user-mode=erase]")
    click_plane(page, 0.05, 0.05)
    points = server_points(page, 2)
    assert not near(points, 0, 0)
    assert near(points, -3, 0) and near(points, 3, 0)
    page.click("[data-action=undo-points]")
    assert near(server_points(page, 3), 0, 0)
    # Clear leaves an empty plane; Undo brings the points back.
    page.click("[data-action=clear-points]")
    expect(page.locator(COUNT)).to_have_text("No points yet.")
    expect(page.locator("[data-points-canvas]")).to_have_attribute("data-points", "0")
    page.click("[data-action=undo-points]")
    expect(page.locator("[data-points-canvas]")).to_have_attribute("data-points", "3")
    server_points(page, 3)


def test_probe_mode_hands_the_map_back_to_the_probe(playground):
    page = playground()
    open_tools(page)
    click_plane(page, 1, 1)
    server_points(page, 1)
    assert page.get_attribute("[data-map]", "data-probe") is None
    page.check("[data-user-mode=probe]")
    click_plane(page, 2, 2)
    # The probe follows the clicked point (to the map's pixel), and no point is drawn.
    page.wait_for_function("""() => {
        const at = (document.querySelector('[data-map]').dataset.probe || '').split(',').map(Number);
        return at.length === 2 && Math.abs(at[0] - 2) < 0.1 && Math.abs(at[1] - 2) < 0.1;
    }""")
    expect(page.locator(COUNT)).to_have_text("1 training point, 0 test points")


def test_the_keyboard_draws_on_the_map(playground):
    page = playground()
    open_tools(page)
    page.focus("[data-map]")
    page.keyboard.press("ArrowRight")  # a twentieth of the view: 0.6
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert server_points(page, 1)[0][:3] == [0.6, 0.6, 1]
    page.keyboard.press("Control+z")
    expect(page.locator(COUNT)).to_have_text("No points yet.")


def test_import_a_good_csv_then_a_bad_one_that_changes_nothing(playground, output_path):
    page = playground()
    open_tools(page)
    good = "x,y,label\n1,1,1\n-1,-1,0\n2.5,2.5,1\n-2.5,-2.5,-1\n"
    page.set_input_files("[data-user-file]", files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    points = server_points(page, 4)
    assert sorted((p[0], p[1], p[2]) for p in points) == [(-2.5, -2.5, -1), (-1, -1, -1), (1, 1, 1), (2.5, 2.5, 1)]
    expect(page.locator(COUNT)).to_have_text("2 training points, 2 test points")
    hash_before = page.evaluate("location.hash")

    bad = "x,y,label\n1,1,1\nfoo,2,1\n3,99,1\n"
    page.set_input_files("[data-user-file]", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    error = page.locator(ERROR)
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-rows", "3,4")
    expect(error).to_contain_text("rows 3 and 4")
    assert error.locator("li").count() >= 2
    shot(page, output_path, "data-import-refused")
    # Nothing changed: the same points on the server and in the tools.
    assert page.evaluate("location.hash") == hash_before
    expect(page.locator(COUNT)).to_have_text("2 training points, 2 test points")
    # The next good change clears the message.
    click_plane(page, 4, -4)
    server_points(page, 5)
    expect(error).to_be_hidden()


def test_export_downloads_what_was_drawn(playground):
    page = playground()
    open_tools(page)
    for x, y in [(-2, 1), (2, -1), (1.5, 1.5)]:
        click_plane(page, x, y)
    points = server_points(page, 3)
    with page.expect_download() as info:
        page.click("[data-action=export-points]")
    download = info.value
    assert download.suggested_filename == "playground-data.csv"
    lines = open(download.path(), encoding="utf-8").read().strip().splitlines()
    assert lines[0] == "x,y,label,set"
    rows = sorted(tuple(line.split(",")) for line in lines[1:])
    assert rows == sorted((f"{p[0]:g}", f"{p[1]:g}", f"{p[2]:g}", p[3]) for p in points)


def test_reload_keeps_the_drawn_points(playground):
    page = playground()
    open_tools(page)
    for x, y in [(-1, -1), (1, 1), (2, -3)]:
        click_plane(page, x, y)
    before = server_points(page, 3)
    page.reload()
    wait_ready(page)
    wait_setting(page, "dataset", "custom")
    assert server_points(page, 3) == before
    expect(page.locator(TOOLS)).to_be_visible()
    expect(page.locator(COUNT)).to_have_text("2 training points, 1 test point")


def test_too_many_points_for_a_link_still_survive_a_reload(playground):
    page = playground()
    open_tools(page)
    rows = [f"{-5 + (i % 20) * 0.5:g},{-5 + (i // 20) * 0.5:g},{1 if i % 2 else -1}" for i in range(400)]
    page.set_input_files("[data-user-file]", files=[{"name": "many.csv", "mimeType": "text/csv",
                                                      "buffer": ("\n".join(rows) + "\n").encode()}])
    expect(page.locator(COUNT)).to_have_text("200 training points, 200 test points")
    wait_setting(page, "dataset", "custom")
    assert "points" not in settings(page)  # 400 × 6 characters: too long for a link
    expect(page.locator("[data-user-link-note]")).to_be_visible()
    page.reload()
    wait_ready(page)
    wait_setting(page, "dataset", "custom")
    expect(page.locator(COUNT)).to_have_text("200 training points, 200 test points")
    expect(page.locator("[data-points-canvas]")).to_have_attribute("data-points", "400")


def test_a_link_with_points_opens_them(page, live_server):
    open_page(page, live_server.url)
    value = page.evaluate("""async () => {
        const { formatPoints } = await import('/static/js/hash.js');
        return formatPoints([[1, 2, 1, 'train'], [-3, 0.5, -1, 'train'], [4.25, -4, 1, 'test']]);
    }""")
    other = page.context.new_page()  # a fresh tab: nothing of its own in sessionStorage
    open_page(other, live_server.url, f"{FIXED}&dataset=custom&points={value}")
    wait_setting(other, "dataset", "custom")
    points = server_points(other, 3)
    assert sorted(points) == sorted([[1, 2, 1, "train"], [-3, 0.5, -1, "train"], [4.25, -4, 1, "test"]])
    expect(other.locator(TOOLS)).to_be_visible()
    expect(other.locator("[data-toast]")).to_be_hidden()


def test_a_reload_brings_back_the_points_and_the_training_on_them(playground):
    page = playground()
    open_tools(page)
    page.check("[data-user-class='-1']")
    for x, y in [(-4, 2), (-3, -2), (-2, 4)]:
        click_plane(page, x, y)
    page.check("[data-user-class='1']")
    for x, y in [(4, 2), (3, -2), (2, 4)]:
        click_plane(page, x, y)
    points = server_points(page, 6)
    page.select_option("select[data-speed]", "10")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-app]').dataset.epoch) >= 40")
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")
    trained = page.evaluate("() => document.querySelector('[data-app]').dataset.epoch")
    page.reload()
    wait_ready(page)
    wait_setting(page, "dataset", "custom")
    # load, then the points, then the kept training on them: the same epoch, the same points.
    page.wait_for_function("n => document.querySelector('[data-app]').dataset.epoch === n", arg=trained)
    assert server_points(page, 6) == points
    expect(page.locator("[data-toast]")).to_contain_text(f"Training restored at epoch {int(trained):,}")
    expect(page.locator(COUNT)).to_have_text(f"{sum(p[3] != 'test' for p in points)} training points, "
                                             f"{sum(p[3] == 'test' for p in points)} test points")

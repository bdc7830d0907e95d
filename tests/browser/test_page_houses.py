"""A regression table on the page (issue 14, views/houses.js) and a CSV table of your own
(views/tableUpload.js): house prices show the test houses' predicted against actual prices, the
test RMSE in CAD and R² beside what predicting the mean gives, and follow training, the input
columns switched off on the diagram and the hint's network without a hidden layer; a CSV table
opens with the target and inputs chosen from its header, a file too large for the server is not
sent, a refused one changes nothing, and a class table shows its accuracy and confusion matrix.
What the server holds is read from the URL hash and from the frames it sends."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from engine.tables import real_table
from playground_page import FIXED, Frames, epoch, settings, shot, train, wait_setting

HOUSES = real_table("house-prices")
VIEW = "[data-houses]"
ERROR = "[data-table-error]"


def shown(page) -> dict:
    """What the view shows once it has drawn the latest metrics: the dots' actual and predicted
    values (in the order of the server's sample) and the scores' whole values."""
    page.wait_for_function("""() => {
        const chart = document.querySelector('[data-houses-scatter]');
        return chart.dataset.epoch === document.querySelector('[data-app]').dataset.epoch;
    }""")
    return page.evaluate("""() => {
        const dots = [...document.querySelectorAll('[data-houses-point]')]
            .sort((a, b) => a.dataset.housesPoint - b.dataset.housesPoint);
        const value = (name) => Number(document.querySelector(`[data-houses-value=${name}]`).dataset.value);
        return {
            actual: dots.map((d) => Number(d.dataset.actual)),
            predicted: dots.map((d) => Number(d.dataset.predicted)),
            rmse: value('rmse'), r2: value('r2'),
            baseline: Number(document.querySelector('[data-houses-baseline]').dataset.rmse),
        };
    }""")


def assert_scores_match_the_dots(view: dict) -> None:
    """The page's RMSE and R² are the server's over every test house, and the dots are those
    houses' predictions: the one follows from the other."""
    actual, predicted = np.array(view["actual"]), np.array(view["predicted"])
    assert np.sqrt(np.mean((predicted - actual) ** 2)) == pytest.approx(view["rmse"], rel=1e-6)
    spread = np.sum((actual - actual.mean()) ** 2)
    assert 1 - np.sum((predicted - actual) ** 2) / spread == pytest.approx(view["r2"], rel=1e-5, abs=1e-6)


def test_house_prices_show_their_predictions_train_and_follow_the_inputs(page, playground, output_path):
    frames = Frames(page)
    playground(f"{FIXED}&problem=regression")
    page.click("[data-dataset=house-prices]")
    wait_setting(page, "dataset", "house-prices")
    expect(page.locator(VIEW)).to_be_visible()
    expect(page.locator("[data-map-canvas]")).to_be_hidden()
    rows = HOUSES.sample_rows
    assert rows == len(HOUSES.test_y)  # every test house is shown
    expect(page.locator("[data-houses-point]")).to_have_count(rows)
    chart = page.locator("[data-houses-scatter]")
    expect(chart).to_have_attribute("data-points", str(rows))
    expect(chart).to_contain_text("Actual price (CAD)")
    expect(chart).to_contain_text("Predicted price (CAD)")
    expect(page.locator("[data-houses-diagonal]")).to_have_count(1)

    start = shown(page)
    assert start["actual"] == [float(v) for v in HOUSES.test_y]
    assert_scores_match_the_dots(start)
    # Predicting the mean: the test prices' spread, R² 0.
    assert start["baseline"] == pytest.approx(float(np.std(HOUSES.test_y)), rel=1e-9)
    expect(page.locator("[data-houses-baseline]")).to_contain_text(f"RMSE {round(start['baseline']):,} CAD")
    expect(page.locator("[data-houses-value=rmse]")).to_have_text(f"{round(start['rmse']):,} CAD")
    expect(page.locator("[data-houses-value=r2]")).to_have_text(f"{start['r2']:.3f}".replace("-", "\u2212"))

    train(page, 40)
    trained = shown(page)
    assert_scores_match_the_dots(trained)
    assert trained["predicted"] != start["predicted"]
    assert trained["rmse"] < trained["baseline"]  # better than guessing the mean (≈ 17,000 against 22,800)
    assert trained["r2"] > 0.2
    expect(page.locator("[data-houses-verdict]")).to_have_attribute("data-better", "true")
    expect(page.locator("[data-houses-value=rmse]")).to_have_text(f"{round(trained['rmse']):,} CAD")
    # The small table: the first test house's columns, actual and predicted price.
    first = HOUSES.test_x[0]
    expect(page.locator("[data-houses-column=lotsize] td").first).to_have_text(f"{round(first[0]):,}")
    expect(page.locator("[data-houses-actual='0']")).to_have_text(f"{round(HOUSES.test_y[0]):,}")
    expect(page.locator("[data-houses-predicted='0']")).to_have_text(f"{round(trained['predicted'][0]):,}")
    shot(page, output_path, "houses-trained")

    # A column switched off on the diagram: the network takes 10 inputs, the table marks it.
    assert frames.received[-1]["sizes"] == [11, 8, 1]
    page.click("[data-network] [data-node=input][data-column=lotsize]")
    wait_setting(page, "inputs", ",".join(HOUSES.columns[1:]))
    frames.wait_for(lambda f: f["sizes"] == [10, 8, 1], "with 10 inputs")
    expect(page.locator("[data-houses-column=lotsize]")).to_have_attribute("data-off", "true")
    expect(page.locator("[data-houses-column=bedrooms]")).to_have_attribute("data-off", "false")
    expect(page.locator("[data-houses-source]")).to_contain_text("takes 10 of the 11 columns")

    # The hint's linear model: no hidden layer, and back.
    hint = page.locator("[data-houses-hint]")
    expect(hint).to_have_attribute("data-linear", "false")
    page.click("[data-action=toggle-hidden-layer]")
    frames.wait_for(lambda f: f["sizes"] == [10, 1], "without a hidden layer")
    expect(hint).to_have_attribute("data-linear", "true")
    expect(hint.locator("button")).to_have_text("Back to a hidden layer of 8")
    page.click("[data-action=toggle-hidden-layer]")
    frames.wait_for(lambda f: f["sizes"] == [10, 8, 1], "with the hidden layer back")


def upload(page, name: str, text: str) -> None:
    page.set_input_files("[data-table-file]", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])


def test_a_csv_table_of_your_own_opens_trains_and_a_bad_one_changes_nothing(page, playground, output_path):
    frames = Frames(page)
    playground()  # classification
    form = page.locator("[data-table-form]")
    hash_before = page.evaluate("location.hash")

    # Larger than one message may be: said, and nothing is sent.
    upload(page, "huge.csv", "a,b\n" + "1.2345,6.789\n" * 6000)
    expect(page.locator(ERROR)).to_be_visible()
    expect(page.locator(ERROR)).to_contain_text("too large")
    expect(page.locator(ERROR)).to_contain_text("at most 64 KB")
    expect(form).to_be_hidden()
    assert page.evaluate("location.hash") == hash_before

    # A regression table: y from x1 and x2 (and a column left out).
    lines = ["x1,x2,noise,y"] + [f"{i % 7},{i % 5},{(i * 37) % 11},{3 * (i % 7) - 2 * (i % 5) + 5}" for i in range(60)]
    upload(page, "mine.csv", "\n".join(lines) + "\n")
    expect(form).to_be_visible()
    expect(page.locator(ERROR)).to_be_hidden()
    expect(page.locator("[data-table-summary]")).to_have_text("mine.csv: 60 rows under a header of 4 columns.")
    page.select_option("[data-table-target]", "x1")
    expect(page.locator("[data-table-input]")).to_have_count(3)
    page.select_option("[data-table-target]", "y")
    boxes = page.locator("[data-table-input]")
    assert [boxes.nth(i).get_attribute("value") for i in range(3)] == ["x1", "x2", "noise"]
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.uncheck("[data-table-input=noise]")
    # The targets are numbers: the form offers the problem type they need.
    expect(page.locator("[data-table-problem-note]")).to_contain_text("regression")
    assert settings(page)["problem"] == "classification" and page.evaluate("location.hash") == hash_before
    page.click("[data-action=switch-table-problem]")
    wait_setting(page, "problem", "regression")
    expect(page.locator("[data-table-problem-note]")).to_be_hidden()
    page.click("[data-action=send-table]")
    wait_setting(page, "dataset", "table")
    expect(form).to_be_hidden()
    expect(page.locator("[data-table-upload-note]")).to_have_text(
        "Opened mine.csv: 48 training rows and 12 test rows; the network predicts y from 2 columns.")
    expect(page.locator(VIEW)).to_be_visible()
    expect(page.locator("[data-houses-title]")).to_have_text("Your table")
    expect(page.locator("[data-houses-point]")).to_have_count(12)
    expect(page.locator("[data-houses-scatter]")).to_contain_text("Actual y")
    frames.wait_for(lambda f: f["sizes"][0] == 2, "with the table's 2 inputs")
    page.select_option("[data-speed]", "10")
    page.click("[data-action=play]")
    page.wait_for_function("() => Number(document.querySelector('[data-houses-value=r2]').dataset.value) > 0.8")
    page.click("[data-action=play]")
    page.wait_for_selector("[data-app][data-playing=false]")
    assert_scores_match_the_dots(shown(page))
    shot(page, output_path, "houses-own-table")

    # A bad file: the server names its line, and nothing changes.
    hash_before, epoch_before = page.evaluate("location.hash"), epoch(page)
    upload(page, "bad.csv", "x1,x2,y\n1,2,3\n4,oops,6\n7,8,9\n")
    page.click("[data-action=send-table]")
    error = page.locator(ERROR)
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-rows", "3")
    expect(error).to_contain_text("line 3")
    expect(error).to_contain_text("nothing changed")
    expect(page.locator("[data-user-tools]")).to_be_hidden()  # not the drawing tools' error
    shot(page, output_path, "houses-table-refused")
    assert page.evaluate("location.hash") == hash_before and epoch(page) == epoch_before
    expect(page.locator("[data-houses-point]")).to_have_count(12)

    # A reload opens the tab's own table again, with the columns the network took (its training
    # starts again: a table of your own is not in a model).
    page.click("[data-node=input][data-column=x2]")
    wait_setting(page, "inputs", "x1")
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    wait_setting(page, "dataset", "table")
    wait_setting(page, "inputs", "x1")
    expect(page.locator("[data-houses-title]")).to_have_text("Your table")
    expect(page.locator("[data-houses-point]")).to_have_count(12)
    expect(page.locator("[data-toast]")).to_be_hidden()
    frames.wait_for(lambda f: f["sizes"][0] == 1, "with the one column left on")

    # A class table (0/1): its accuracy and the confusion matrix, no scatter.
    rows = ["a,b,label"] + [f"{i % 9},{(i * 5) % 9},{1 if i % 9 > (i * 5) % 9 else 0}" for i in range(40)]
    upload(page, "classes.csv", "\n".join(rows) + "\n")
    expect(page.locator(ERROR)).to_be_hidden()
    expect(page.locator("[data-table-problem-note]")).to_contain_text("classification")
    page.click("[data-action=switch-table-problem]")
    wait_setting(page, "problem", "classification")
    page.click("[data-action=send-table]")
    wait_setting(page, "dataset", "table")
    expect(page.locator("[data-class-table]")).to_be_visible()
    expect(page.locator(VIEW)).to_be_hidden()
    page.click("[data-action=step]")
    expect(page.locator("[data-class-table-accuracy]")).to_have_text(re.compile(r"^\d+\.\d%$"))
    expect(page.locator("[data-confusion]")).to_have_attribute("data-total", "8")
    expect(page.locator("[data-class-predicted='0']")).to_have_text(re.compile(r"^[01]$"))

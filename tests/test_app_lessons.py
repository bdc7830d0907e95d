"""Lessons as data (app/lessons/, app/lessons.py): every shipped lesson loads, the engine accepts
its settings, its goals can be reached as its tasks say, and a broken lesson file stops the
server at start-up with the file and the field named."""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine
from app import create_app, lessons
from servers import ROOT

SHIPPED = {lesson["id"]: lesson for lesson in lessons.load()}
COURSE = {"single-neuron", "logic-gates", "why-nonlinear", "first-network", "initialization", "spiral", "learning-rate",
          "training-vs-test", "l2", "l1-sparsity", "feature-cross-by-hand", "softmax"}


def test_the_course_lessons_ship_and_the_api_lists_them_in_order():
    assert COURSE <= set(SHIPPED)
    listed = create_app({"TESTING": True}).test_client().get("/api/lessons").get_json()["lessons"]
    assert [lesson["id"] for lesson in listed] == list(SHIPPED)
    orders = [lesson["order"] for lesson in listed]
    assert orders == sorted(orders)
    first = next(lesson for lesson in listed if lesson["id"] == "first-network")
    assert first["settings"] == dict(engine.validate(first["changes"]))  # the whole config, checked
    assert first["settings"]["seed"] == "0.50819" and first["settings"]["dataset"] == "xor"
    assert [(g["task"], g["metric"], g["max"]) for g in first["goals"]] == [
        (2, "test_loss", 0.35), (3, "test_loss", 0.2), (4, "test_loss", 0.177)]
    assert len(first["tasks"]) == 4 and all(task["text"] for task in first["tasks"])


def test_the_logic_gate_lessons_show_me_loads_the_engines_course_networks():
    """Its "Show me" and the page's network buttons (hello.options.gate_networks) agree."""
    networks, gate = engine.options()["gate_networks"], None
    for task in SHIPPED["logic-gates"]["tasks"]:
        gate = task.get("settings", {}).get("gate", gate) or SHIPPED["logic-gates"]["settings"]["gate"]
        if task.get("edits"):
            assert task["edits"] == networks[gate]["edits"], gate


def test_step_only_and_no_training_lessons_hide_their_buttons():
    assert SHIPPED["learning-rate"]["play"] is False and "playButton" in SHIPPED["learning-rate"]["hide"]
    by_hand = SHIPPED["feature-cross-by-hand"]
    assert {"playButton", "stepButton"} <= set(by_hand["hide"]) and by_hand["settings"]["init"] == "zeros"


def test_the_hide_keys_are_the_pages_own():
    source = (ROOT / "static/js/hiding.js").read_text()
    table = source[source.index("export const HIDABLE"):source.index("];", source.index("export const HIDABLE"))]
    assert tuple(re.findall(r'\["(\w+)", "', table)) == lessons.HIDE_KEYS


def _value(metrics: engine.Metrics, metric: str) -> float:
    return metrics.test_loss - metrics.train_loss if metric == "gap" else getattr(metrics, metric)


def _met(metrics: engine.Metrics, goals: list[dict]) -> bool:
    return all(metrics.epoch >= g["after"] and g.get("min", -1e9) <= _value(metrics, g["metric"]) <= g.get("max", 1e9)
               for g in goals)


def _tasks_with_goals():
    for lesson in SHIPPED.values():
        for number, task in enumerate(lesson["tasks"], 1):
            if any(goal["task"] == number for goal in lesson["goals"]):
                yield pytest.param(lesson, number, id=f"{lesson['id']}-task-{number}")


@pytest.mark.parametrize("lesson, number", list(_tasks_with_goals()))
def test_every_goal_is_reached_by_doing_what_its_task_says(lesson, number):
    """The lesson's settings, then each task's suggested settings up to this one, its hand-set
    weights; trained (when the lesson trains) until the task's goals hold together, from at
    most five starting points (Reset), as a student would."""
    settings = lesson["settings"]
    for task in lesson["tasks"][:number]:
        settings = engine.validate(task["settings"], settings)
    goals = [goal for goal in lesson["goals"] if goal["task"] == number]
    trains = lesson["play"] or "stepButton" not in lesson["hide"]
    run = engine.Run(settings)
    for _ in range(5):
        for edit in lesson["tasks"][number - 1]["edits"]:
            run.apply_edit(edit)
        if _met(run.metrics, goals):
            return
        for _ in range(300 if trains else 0):
            if _met(run.step(5), goals):
                return
        run.reset()
    pytest.fail(f"{lesson['id']} task {number}: {[g['label'] for g in goals]} not reached; "
                f"ended at {run.metrics}")


def test_the_linear_network_of_first_network_does_not_reach_the_second_tasks_goal():
    run = engine.Run(SHIPPED["first-network"]["settings"])
    assert min(run.step(10).test_loss for _ in range(100)) > 0.35


def test_the_vanishing_gradients_lesson_shows_what_its_text_says():
    """Its figures, on the engine: the deep sigmoid network's first matrix gets thousands of times
    less gradient than its last and learns nothing in 300 epochs; with ReLU the six sizes lie
    within a factor of ten or so of each other while it learns."""
    lesson = SHIPPED["vanishing-gradients"]
    sigmoid = engine.Run(lesson["settings"])
    stuck = sigmoid.step(300)
    sizes = stuck.gradient_sizes
    assert len(sizes) == 6 and stuck.test_loss > 0.45 and stuck.stalled is None  # vanishing, not saturated
    assert 1e-6 < sizes[0] < 1e-4 and 0.05 < sizes[-1] < 0.3 and sizes[-1] > 1000 * sizes[0]
    assert sizes == sorted(sizes)  # a ladder: each matrix gets more than the one before it
    relu = engine.Run(engine.validate(lesson["tasks"][1]["settings"], lesson["settings"]))
    early = relu.step(5).gradient_sizes
    assert max(early) < 10 * min(early) and 0.005 < min(early)
    assert relu.step(15).test_loss < 0.05


def test_the_backpropagation_lesson_counts_its_updates_as_its_text_does():
    lesson = SHIPPED["backpropagation"]
    run = engine.Run(lesson["settings"])
    first = run.backprop()
    assert len(run._train_y) == 250 and len(first["indices"]) == 10  # 25 updates an epoch
    assert [layer["W"].shape for layer in first["layers"]] == [(3, 3), (1, 4)]  # W⁽¹⁾, W⁽²⁾
    errors = np.abs(first["layers"][-1]["delta"]) * 10  # δ of the output is (ŷ − y) / m
    assert 0.3 < errors.min() and errors.max() < 0.65
    assert 0.69 < run.metrics.train_loss < 0.74


BROKEN = '''
id = "broken"
title = "A broken lesson"
colour = "red"

[settings]
learning_rate = -1
dataset = "moon"

[[tasks]]
text = "Do something."
goals = [{ metric = "loss", max = 0.1 }, { metric = "test_loss" }, { metric = "gap", min = 0.5, max = 0.1 }]
'''


def test_a_broken_lesson_file_stops_the_server_at_start_naming_the_file_and_each_field(tmp_path):
    (tmp_path / "broken.toml").write_text(BROKEN)
    (tmp_path / "fine.toml").write_text('id = "fine"\ntitle = "Fine"\n[[tasks]]\ntext = "Play."\n')
    with pytest.raises(lessons.LessonError) as refused:
        create_app({"TESTING": True, "LESSONS": str(tmp_path)})
    message = str(refused.value)
    assert "broken.toml" in message and "fine.toml" not in message
    for expected in ("colour: unknown field", "settings.learning_rate: must be a number in (0.0, 10.0]",
                     "settings.dataset: must be one of circle", "tasks[1].goals[1].metric: must be one of train_loss",
                     "tasks[1].goals[2]: needs a min, a max or both", "tasks[1].goals[3]: min must not be above max"):
        assert expected in message, (expected, message)


def test_a_teachers_folder_adds_its_lessons_and_cannot_reuse_an_id(tmp_path):
    (tmp_path / "my-lesson.toml").write_text(
        'id = "my-lesson"\ntitle = "Mine"\norder = 1\n[settings]\ndataset = "spiral"\n'
        '[[tasks]]\ntext = "Play."\ngoals = [{ metric = "test_accuracy", min = 0.9, stop = true }]\n')
    listed = create_app({"TESTING": True, "LESSONS": str(tmp_path)}).test_client().get("/api/lessons").get_json()
    mine = listed["lessons"][0]
    assert mine["id"] == "my-lesson" and mine["settings"]["dataset"] == "spiral"
    assert mine["goals"] == [{"task": 1, "metric": "test_accuracy", "min": 0.9, "after": 0,
                              "label": "test accuracy ≥ 0.9", "stop": True}]
    (tmp_path / "spiral.toml").write_text('id = "spiral"\ntitle = "Again"\n[[tasks]]\ntext = "Play."\n')
    with pytest.raises(lessons.LessonError, match="'spiral' is used by more than one lesson"):
        create_app({"TESTING": True, "LESSONS": str(tmp_path)})


@pytest.mark.parametrize("text, expected", [
    ('id = "other"\ntitle = "T"\n[[tasks]]\ntext = "x"\n', "id: must be the file's name without .toml ('lesson')"),
    ('id = "lesson"\ntitle = "T"\n', "tasks: must be a list of one or more tasks"),
    ('id = "lesson"\ntitle = "T"\nhide = ["everything"]\n[[tasks]]\ntext = "x"\n', "hide: must be a list drawn from showTestData"),
    ('id = "lesson"\ntitle = "T"\n[[tasks]]\ntext = "x"\nsettings = { network_shape = [40] }\n',
     "tasks[1].settings.network_shape: must be a list of 0..8 layer sizes"),
    ('id = "lesson"\ntitle = "T"\n[settings]\nnetwork_shape = []\n[[tasks]]\ntext = "x"\n'
     'edits = [{ layer = 0, from = 5, to = 0, value = 1 }]\n', "tasks[1].edits: entry 1: from:"),
    ('id = "lesson"\ntitle = [1\n', "not a readable TOML file"),
])
def test_each_kind_of_mistake_is_named(tmp_path, text, expected):
    (tmp_path / "lesson.toml").write_text(text)
    with pytest.raises(lessons.LessonError) as refused:
        lessons.load(tmp_path)
    assert expected in str(refused.value) and "lesson.toml" in str(refused.value)

"""The course's lessons: one TOML file each in app/lessons/ (the format is docs/lessons.md), read
and checked when the app is made, so that a broken lesson stops the server at start-up with the
file and the field named, not a class in the middle of a lesson. A teacher adds a lesson by adding
a file. The engine judges each lesson's settings, as it judges any `configure`.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

import engine

FOLDER = Path(__file__).resolve().parent / "lessons"
# What a goal can watch: the `metrics` message's values, and gap = test_loss − train_loss.
METRICS = ("train_loss", "test_loss", "gap", "train_accuracy", "test_accuracy")
# The controls a lesson may hide: the page's hide keys (static/js/hiding.js, HIDABLE; the first
# 15 are the original playground's `<control>_hide` names). tests/test_app_lessons.py checks
# that the two lists agree.
HIDE_KEYS = ("showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate",
             "activation", "regularization", "regularizationRate", "problem", "dataset", "percTrainData",
             "noise", "batchSize", "numHiddenLayers", "numNodes", "features", "loss", "optimizer",
             "momentum", "speed", "regenerate", "seed", "numPoints", "numClasses", "batching", "init")
FIELDS = ("id", "title", "order", "summary", "play", "hide", "settings", "tasks")
TASK_FIELDS = ("text", "goals", "settings", "edits")
GOAL_FIELDS = ("metric", "min", "max", "after", "label", "stop")
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_TITLE = 80
MAX_TEXT = 2000


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and every bad field."""


def load(*folders: Path | str) -> list[dict[str, Any]]:
    """Every lesson of the playground's folder and of these (a teacher's, PLAYGROUND_LESSONS), in
    their `order`, as `GET /api/lessons` lists them; raises LessonError naming each broken file
    and its bad fields, or a folder that is not there."""
    lessons, problems = [], []
    for folder in (FOLDER, *(Path(f) for f in folders)):
        if not folder.is_dir():
            problems.append(f"{folder}: no such folder of lessons")
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                lessons.append(read(path))
            except LessonError as broken:
                problems.append(f"{folder / path.name}: {broken}")
    ids = [lesson["id"] for lesson in lessons]
    problems += [f"{i}.toml: id: {i!r} is used by more than one lesson" for i in sorted(set(ids)) if ids.count(i) > 1]
    if problems:
        raise LessonError("lessons: " + "; ".join(problems))
    return sorted(lessons, key=lambda lesson: (lesson["order"], lesson["id"]))


def read(path: Path) -> dict[str, Any]:
    """One lesson file, checked: {"id", "title", "order", "summary", "play", "hide", "settings"
    (the engine's complete config for the lesson), "changes" (the settings the file names),
    "tasks": [{"text"}], "goals": [{"task", "metric", "min"?, "max"?, "label", "stop"}]}."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as bad:
        raise LessonError(f"not a readable TOML file: {bad}") from None
    errors: list[str] = []
    for key in data:
        if key not in FIELDS:
            errors.append(f"{key}: unknown field; known fields: {', '.join(FIELDS)}")
    lesson_id = data.get("id")
    if not isinstance(lesson_id, str) or not ID.fullmatch(lesson_id):
        errors.append(f"id: must be lower-case words joined by hyphens; got {lesson_id!r}")
    elif lesson_id != path.stem:
        errors.append(f"id: must be the file's name without .toml ({path.stem!r}); got {lesson_id!r}")
    title = data.get("title")
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
        errors.append(f"title: must be a text of 1..{MAX_TITLE} characters; got {title!r}")
    order = data.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        errors.append(f"order: must be an integer (the lesson's place in the list); got {order!r}")
    summary = data.get("summary", "")
    if not isinstance(summary, str) or len(summary) > MAX_TEXT:
        errors.append(f"summary: must be a text of at most {MAX_TEXT} characters; got {summary!r}")
    play = data.get("play", True)
    if not isinstance(play, bool):
        errors.append(f"play: must be true or false (false: the Step button only); got {play!r}")
    hide = data.get("hide", [])
    if not isinstance(hide, list) or any(key not in HIDE_KEYS for key in hide):
        errors.append(f"hide: must be a list drawn from {', '.join(HIDE_KEYS)}; got {hide!r}")
    changes = data.get("settings", {})
    settings: dict[str, Any] = {}
    if not isinstance(changes, dict):
        errors.append(f"settings: must be a table of the protocol's config keys; got {changes!r}")
    else:
        try:
            settings = dict(engine.validate(changes))
        except engine.ConfigError as refused:
            errors += [f"settings.{field}: {message}" for field, message in refused.errors]
    tasks, goals = _tasks(data.get("tasks"), settings, errors)
    if errors:
        raise LessonError("; ".join(errors))
    return {"id": lesson_id, "title": title.strip(), "order": order, "summary": summary.strip(),
            "play": play, "hide": list(hide), "settings": settings, "changes": dict(changes),
            "tasks": tasks, "goals": goals}


def _tasks(value: Any, settings: dict[str, Any],
           errors: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each task's text, what it suggests (settings over the lesson's and the earlier tasks',
    and hand-set weights, each checked by the engine) and its goals."""
    if not isinstance(value, list) or not value:
        errors.append("tasks: must be a list of one or more tasks ([[tasks]] tables with a text)")
        return [], []
    tasks, goals = [], []
    so_far = settings
    for number, task in enumerate(value, 1):
        where = f"tasks[{number}]"
        if not isinstance(task, dict):
            errors.append(f"{where}: must be a table with a text; got {task!r}")
            continue
        errors += [f"{where}.{key}: unknown field; known fields: {', '.join(TASK_FIELDS)}"
                   for key in task if key not in TASK_FIELDS]
        text = task.get("text")
        if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_TEXT:
            errors.append(f"{where}.text: must be a text of 1..{MAX_TEXT} characters; got {text!r}")
            text = ""
        suggested = task.get("settings", {})
        if not isinstance(suggested, dict):
            errors.append(f"{where}.settings: must be a table of the protocol's config keys; got {suggested!r}")
            suggested = {}
        elif so_far:
            try:
                so_far = dict(engine.validate(suggested, so_far))
            except engine.ConfigError as refused:
                errors += [f"{where}.settings.{field}: {message}" for field, message in refused.errors]
        edits = task.get("edits", [])
        if so_far and edits:
            errors += [f"{where}.edits: {problem}" for problem in _edit_problems(edits, so_far)]
        tasks.append({"text": text.strip(), "settings": dict(suggested), "edits": list(edits) if isinstance(edits, list) else []})
        task_goals = task.get("goals", [])
        if not isinstance(task_goals, list):
            errors.append(f"{where}.goals: must be a list of goals; got {task_goals!r}")
            continue
        for index, goal in enumerate(task_goals, 1):
            checked = _goal(goal, f"{where}.goals[{index}]", errors)
            if checked is not None:
                goals.append({"task": number, **checked})
    return tasks, goals


def _edit_problems(edits: Any, settings: dict[str, Any]) -> list[str]:
    """What the engine says of these hand-set weights on a network with these settings (the
    `load` message's `edits`: set_weight fields, or set_bias fields with a `node`)."""
    if not isinstance(edits, list) or not all(isinstance(edit, dict) for edit in edits):
        return [f"must be a list of set_weight or set_bias fields; got {edits!r}"]
    run, problems = engine.Run(settings), []
    for number, edit in enumerate(edits, 1):
        try:
            run.apply_edit(edit)
        except engine.ConfigError as refused:
            problems.append(f"entry {number}: " + "; ".join(f"{f}: {m}" for f, m in refused.errors))
    return problems


def _goal(goal: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(goal, dict):
        errors.append(f"{where}: must be a table with a metric and a min or max; got {goal!r}")
        return None
    bad = [f"{where}.{key}: unknown field; known fields: {', '.join(GOAL_FIELDS)}" for key in goal
           if key not in GOAL_FIELDS]
    metric = goal.get("metric")
    if metric not in METRICS:
        bad.append(f"{where}.metric: must be one of {', '.join(METRICS)}; got {metric!r}")
    bounds = {}
    for side in ("min", "max"):
        if side in goal:
            value = goal[side]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                bad.append(f"{where}.{side}: must be a finite number; got {value!r}")
            else:
                bounds[side] = float(value)
    if not bounds and not any(side in goal for side in ("min", "max")):
        bad.append(f"{where}: needs a min, a max or both (a range)")
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        bad.append(f"{where}: min must not be above max; got {bounds['min']} > {bounds['max']}")
    after = goal.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        bad.append(f"{where}.after: must be a whole number of epochs, 0 or more (the goal counts from that "
                   f"epoch on); got {after!r}")
    label = goal.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_TITLE:
        bad.append(f"{where}.label: must be a text of at most {MAX_TITLE} characters; got {label!r}")
    stop = goal.get("stop", False)
    if not isinstance(stop, bool):
        bad.append(f"{where}.stop: must be true or false (pause the run when reached); got {stop!r}")
    errors += bad
    if bad:
        return None
    return {"metric": metric, **bounds, "after": after, "label": label or describe(metric, bounds, after),
            "stop": stop}


NAMES = {"train_loss": "training loss", "test_loss": "test loss", "gap": "test loss − training loss",
         "train_accuracy": "training accuracy", "test_accuracy": "test accuracy"}


def describe(metric: str, bounds: dict[str, float], after: int = 0) -> str:
    """A goal in words, e.g. "test loss ≤ 0.177" or "0.02 ≤ test loss − training loss ≤ 0.4"."""
    name = NAMES[metric]
    if "min" in bounds and "max" in bounds:
        text = f"{_number(bounds['min'])} ≤ {name} ≤ {_number(bounds['max'])}"
    elif "max" in bounds:
        text = f"{name} ≤ {_number(bounds['max'])}"
    else:
        text = f"{name} ≥ {_number(bounds['min'])}"
    return f"{text} after {after} epochs" if after else text


def _number(value: float) -> str:
    return f"{value:g}"

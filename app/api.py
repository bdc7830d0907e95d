"""The small JSON API of static facts: every option's allowed values, pictures of the datasets and
of the input features (so the page draws what the engine computes, never a copy of its rules), and
a health check."""

from __future__ import annotations

import base64
from functools import lru_cache

from flask import Blueprint, Response, current_app, jsonify, request

import engine
from engine.datasets import PLANE, sample

from .protocol import RESOLUTION, bounded

bp = Blueprint("api", __name__)
CACHE_SECONDS = 3600  # these answers change only with the server's code


@bp.get("/api/options")
def options() -> Response:
    """Every option's allowed values and the engine's limits (the same as `hello.options`)."""
    return jsonify(engine.options())


@bp.get("/api/lessons")
def lessons() -> Response:
    """Every lesson (app/lessons/, docs/lessons.md), in order: {"lessons": [{"id", "title",
    "order", "summary", "play", "hide", "settings", "changes", "tasks", "goals"}]}."""
    return cached(jsonify({"lessons": current_app.extensions["playground-lessons"]}))


@bp.get("/api/feature-maps")
def feature_maps() -> Response:
    """Each input feature over the plane, as map bytes (docs/protocol.md): {"resolution": D,
    "view": [low, high], "maps": {feature: base64 of D·D bytes}}. Query: `dataset`, for the view
    it is shown on (hello.options.views; default the playground's [−6, 6]²)."""
    name = request.args.get("dataset")
    views = engine.options()["views"]
    if name is not None and name not in views:
        return jsonify({"errors": [f"dataset: must be one of {', '.join(views)}; got {name[:40]!r}"],
                        "fields": ["dataset"], "more": 0}), 400
    return cached(jsonify(_feature_maps(tuple(views[name]) if name else PLANE)))


@bp.get("/api/previews")
def previews() -> Response:
    """A small sample of every dataset of the plane of a problem, for the dataset buttons:
    {"datasets": {name: [[x, y, label], ...]}} (a table, `mnist` or `house-prices`, has no points
    to sample: the page draws its button). Query: `problem`, and `num_classes` for multiclass."""
    query: dict = {"problem": request.args.get("problem", "classification")}
    classes = request.args.get("num_classes")
    if classes is not None:  # the engine judges it; a number is passed as one
        query["num_classes"] = int(classes) if classes.lstrip("-").isdigit() else classes
    try:
        config = engine.validate(query)
    except engine.ConfigError as refused:  # as the websocket's `error`: bounded, quotes cut short
        listed, more = bounded(refused.errors)
        return jsonify({"errors": [f"{f}: {m}" for f, m in listed], "fields": [f for f, _ in listed],
                        "more": more}), 400
    return cached(jsonify(_previews(config["problem"], config["num_classes"])))


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness for load balancers and container health checks; 503 while shutting down."""
    registry = current_app.extensions["playground"]
    if registry.shutting_down.is_set():
        return jsonify({"status": "shutting down"}), 503
    return jsonify({"status": "ok", "sessions": registry.live,
                    "seats_taken": registry.seats.taken(), "max_sessions": registry.seats.limit})


def cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@lru_cache(maxsize=4)
def _feature_maps(view: tuple[float, float]) -> dict:
    names = engine.options()["features"]
    maps = engine.feature_maps(names, RESOLUTION, view)
    return {"resolution": RESOLUTION, "view": list(view),
            "maps": {name: base64.b64encode(row.tobytes()).decode("ascii") for name, row in zip(names, maps)}}


@lru_cache(maxsize=16)
def _previews(problem: str, num_classes: int) -> dict:
    names = [name for name in engine.options()["dataset"][problem] if not engine.tables.is_table(name)]
    rounded = {name: sample(problem, name, num_classes=num_classes).round(2).tolist() for name in names}
    if problem != "regression":  # labels are ±1 or class indices: integers on the wire
        rounded = {name: [[x, y, int(label)] for x, y, label in rows] for name, rows in rounded.items()}
    return {"problem": problem, "datasets": rounded}

"""The HTTP side of the app: the page, the JSON API, settings layered from defaults, environment
and tests, and the `playground` command line."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from app import cli, create_app, registry_of


def test_the_page_is_served(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_options_lists_every_allowed_value(client):
    assert client.get("/api/options").json == engine.options()


def test_feature_maps_are_the_engines_map_bytes(client):
    import base64
    answer = client.get("/api/feature-maps")
    assert answer.status_code == 200 and answer.cache_control.max_age > 0
    body = answer.json
    names = engine.options()["features"]
    assert body["resolution"] == 100 and sorted(body["maps"]) == sorted(names)
    maps = engine.feature_maps(names, 100)
    for name, row in zip(names, maps):
        assert base64.b64decode(body["maps"][name]) == row.tobytes()


def test_feature_maps_of_a_datasets_own_view(client):
    import base64
    body = client.get("/api/feature-maps?dataset=logic").json
    assert body["view"] == [-0.5, 1.5] == engine.options()["views"]["logic"]
    names = engine.options()["features"]
    for name, row in zip(names, engine.feature_maps(names, 100, (-0.5, 1.5))):
        assert base64.b64decode(body["maps"][name]) == row.tobytes()
    assert client.get("/api/feature-maps?dataset=circle").json["maps"] == client.get("/api/feature-maps").json["maps"]
    refused = client.get("/api/feature-maps?dataset=mandelbrot")
    assert refused.status_code == 400 and refused.json["fields"] == ["dataset"]
    assert "logic" in refused.json["errors"][0] and "mandelbrot" in refused.json["errors"][0]


def test_previews_are_samples_of_the_engines_own_datasets(client):
    from engine.datasets import sample
    body = client.get("/api/previews?problem=multiclass&num_classes=5").json
    # Every dataset of the plane; a table (mnist) has no points to sample.
    plane = [name for name in engine.options()["dataset"]["multiclass"] if name not in engine.options()["tables"]]
    assert "mnist" in engine.options()["dataset"]["multiclass"] and "mnist" not in plane
    assert sorted(body["datasets"]) == sorted(plane)
    pie = np.array(body["datasets"]["multi-pie"])
    np.testing.assert_allclose(pie, sample("multiclass", "multi-pie", num_classes=5), atol=0.005)
    assert set(pie[:, 2]) == {0, 1, 2, 3, 4}
    regression = client.get("/api/previews?problem=regression").json["datasets"]
    assert sorted(regression) == ["reg-gauss", "reg-plane"]
    refused = client.get("/api/previews?problem=fractal&num_classes=12")
    assert refused.status_code == 400 and sorted(refused.json["fields"]) == ["num_classes", "problem"]


def test_health_reports_ok_then_shutting_down(app, client):
    assert client.get("/healthz").json == {"status": "ok", "sessions": 0, "seats_taken": 0, "max_sessions": 100}
    registry_of(app).shut_down()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "shutting down"


def test_the_websocket_route_refuses_plain_http(client):
    response = client.get("/ws")
    assert response.status_code == 426 and response.headers["Upgrade"] == "websocket"
    assert "websocket" in response.get_data(as_text=True)


def test_settings_come_from_defaults_then_environment_then_test_config(monkeypatch):
    assert create_app().config["MAX_SESSIONS"] == 100
    monkeypatch.setenv("PLAYGROUND_MAX_SESSIONS", "7")
    monkeypatch.setenv("PLAYGROUND_FRAMES_PER_SECOND", "20")
    app = create_app()
    assert app.config["MAX_SESSIONS"] == 7 and registry_of(app).seats.limit == 7
    assert app.config["PLAYGROUND_LIMITS"].frames_per_second == 20
    assert create_app({"MAX_SESSIONS": 3}).config["MAX_SESSIONS"] == 3


def test_bad_settings_are_all_named(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_FRAMES_PER_SECOND", "0")
    monkeypatch.setenv("PLAYGROUND_MAX_SESSIONS", '"many"')
    with pytest.raises(ValueError) as refused:
        create_app()
    assert "PLAYGROUND_FRAMES_PER_SECOND: must be a number in 1..120" in str(refused.value)
    assert "PLAYGROUND_MAX_SESSIONS: must be a number ≥ 1" in str(refused.value)


def test_serve_help_lists_the_settings(capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    text = capsys.readouterr().out
    assert "--production" in text and "PLAYGROUND_MAX_SESSIONS" in text and "PLAYGROUND_FRAME_BUDGET_MS" in text

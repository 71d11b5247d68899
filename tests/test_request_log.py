"""Request logs: one JSON line per request on stderr, X-Request-ID in and out, no secrets."""

import json

import pytest

from tests.helpers import PASSWORD


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def access_lines(capsys) -> list[dict]:
    return [line for line in log_lines(capsys) if line["logger"] == "stores_api.access"]


def test_each_request_logs_one_json_line(client, capsys):
    capsys.readouterr()
    client.get("/stores")
    (line,) = access_lines(capsys)
    assert line["method"] == "GET"
    assert line["path"] == "/stores"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] is None
    assert len(line["request_id"]) == 32


def test_the_log_line_names_the_user_of_a_verified_token(api, user, capsys):
    capsys.readouterr()
    api.get("/items", token=user["access"])
    (line,) = access_lines(capsys)
    assert line["user_id"] == str(user["id"])


def test_a_well_formed_request_id_is_kept_and_echoed(client, capsys):
    capsys.readouterr()
    response = client.get("/stores", headers={"X-Request-ID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"})
    assert response.headers["X-Request-ID"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert access_lines(capsys)[0]["request_id"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_a_missing_request_id_is_generated_and_echoed(client):
    first = client.get("/stores").headers["X-Request-ID"]
    second = client.get("/stores").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize("header", ["a" * 129, "has space", 'quote"d', "new\\nline", "{json}", "é"])
def test_a_malformed_request_id_is_replaced(client, header):
    response = client.get("/stores", headers={"X-Request-ID": header})
    assert response.headers["X-Request-ID"] != header
    assert len(response.headers["X-Request-ID"]) == 32


def test_error_answers_carry_the_request_id_too(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "req-404"


def test_successful_probes_are_not_logged(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    client.get("/readyz")
    assert access_lines(capsys) == []


def test_an_unhandled_error_logs_its_traceback_once_with_the_request_id(app, capsys):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    capsys.readouterr()
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-boom"})
    assert response.status_code == 500
    assert response.get_json()["code"] == 500
    lines = log_lines(capsys)
    tracebacks = [line for line in lines if "exc_info" in line]
    assert len(tracebacks) == 1
    assert tracebacks[0]["request_id"] == "req-boom"
    assert "RuntimeError: kaboom" in tracebacks[0]["exc_info"]
    access = [line for line in lines if line["logger"] == "stores_api.access"]
    assert access[0]["status"] == 500 and access[0]["request_id"] == "req-boom"


def test_no_password_or_token_reaches_the_logs(api, capsys):
    capsys.readouterr()
    api.register("carol")
    tokens = api.post("/login", json={"username": "carol", "password": PASSWORD}).get_json()
    api.post("/login", json={"username": "carol", "password": "wrong " + PASSWORD})
    api.get("/items?token=" + tokens["access_token"], token=tokens["access_token"])
    api.post("/refresh", token=tokens["refresh_token"])
    api.post("/logout", token=tokens["access_token"])
    api.get("/items", token=tokens["access_token"])  # revoked: 401
    output = capsys.readouterr().err
    assert output.count("stores_api.access") == 7
    for secret in (PASSWORD, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in output
    assert "token=" not in output


def test_a_logged_database_error_shows_no_bound_values(app, capsys):
    from sqlalchemy import text

    from stores_api.extensions import db

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/query")
    def query():
        db.session.execute(text("SELECT :secret FROM no_such_table"), {"secret": PASSWORD})

    capsys.readouterr()
    response = app.test_client().get("/query")
    assert response.status_code in {500, 503}
    output = capsys.readouterr().err
    assert "no_such_table" in output  # the error was logged, with its SQL
    assert PASSWORD not in output

"""GET /healthz and GET /readyz: no auth, JSON, and 503 naming what is down."""

import socket

import pytest

from tests.conftest import make_app, prepare_database


def closed_port() -> int:
    """A loopback port nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_a_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_does_not_touch_the_database(tmp_path):
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing")
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_is_503_naming_the_database_when_it_is_down():
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"] == {"database": "down"}
    assert body["error"] == "not_ready"
    assert "database" in body["message"]


def test_readyz_is_503_when_the_database_is_not_migrated(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "not_migrated"}
    assert "stores-api db upgrade" in response.get_json()["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_readyz_checks_redis_when_it_is_configured(database_url):
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:6379/0")
    prepare_database(app)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_readyz_is_503_naming_redis_when_it_is_down(database_url):
    app = make_app(database_url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    prepare_database(app)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "down"}
    assert "redis" in response.get_json()["message"]


def test_probes_are_documented_without_security(client):
    spec = client.get("/openapi.json").get_json()
    for path in ("/healthz", "/readyz"):
        assert "security" not in spec["paths"][path]["get"]


@pytest.fixture
def restore_default_limits():
    """Flask-Limiter keeps the first default limits it is given on its one global object; put
    them back so later tests' apps are not throttled by this test's."""
    from stores_api.extensions import limiter

    saved = list(limiter.limit_manager._default_limits)
    yield
    limiter.limit_manager._default_limits = saved


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_probes_are_never_rate_limited(database_url, restore_default_limits):
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    prepare_database(app)
    client = app.test_client()
    assert [client.get("/stores").status_code for _ in range(3)][-1] == 429  # limits are on
    for path in ("/healthz", "/readyz"):
        assert {client.get(path).status_code for _ in range(5)} == {200}

"""Secrets and transport: token answers are never cached; CORS is off unless origins are named,
and then only those origins are allowed. (The refusal of a missing or short secret is proven
in tests/test_config.py.)"""

from __future__ import annotations

import pytest

from stores_api.config import ConfigError
from tests.conftest import make_app, prepare_database
from tests.helpers import PASSWORD, Api
from tests.security.conftest import CHEAP_HASHING

ALLOWED = "https://shop.example.com"


def token_operations(app) -> list[str]:
    """Every documented operation whose success answer carries a token."""
    spec = app.test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                ref = (
                    response.get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                )
                props = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                if status.startswith("2") and ("access_token" in props or "refresh_token" in props):
                    found.append(f"{method.upper()} {path}")
    return found


def test_token_answers_are_documented_for_login_auth_and_refresh(cheap_app):
    assert {"POST /login", "POST /auth", "POST /refresh"} <= set(token_operations(cheap_app))


def test_every_token_answer_carries_cache_control_no_store(cheap_app, cheap_api):
    alice = cheap_api.new_user("alice")
    credentials = {"username": "alice", "password": PASSWORD}
    for label in token_operations(cheap_app):
        method, path = label.split(" ", 1)
        if path == "/refresh":
            response = cheap_api.request(method, path, token=alice["refresh"])
        else:
            response = cheap_api.request(method, path, json=credentials)
        assert response.status_code == 200, label
        assert "access_token" in response.get_json(), label
        assert "no-store" in response.headers.get("Cache-Control", ""), label


def test_cors_is_off_by_default(cheap_api):
    response = cheap_api.get("/stores", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = cheap_api.request(
        "OPTIONS",
        "/stores",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.fixture
def cors_api(database_url) -> Api:
    app = make_app(
        database_url, CORS_ORIGINS=f"{ALLOWED},https://admin.example.com", **CHEAP_HASHING
    )
    prepare_database(app)
    return Api(app.test_client())


def test_a_configured_origin_is_allowed(cors_api):
    response = cors_api.get("/stores", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers.get("Vary", "")


def test_a_preflight_from_a_configured_origin_allows_the_authorization_header(cors_api):
    response = cors_api.request(
        "OPTIONS",
        "/item/chair",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://shop.example.com.evil.example", "null"]
)
def test_other_origins_are_not_allowed(cors_api, origin):
    response = cors_api.get("/stores", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = cors_api.request(
        "OPTIONS", "/stores", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.mark.parametrize("value", ["*", "shop.example.com", ["https://ok.example", "*"]])
def test_a_wildcard_or_malformed_origin_is_refused_at_startup(value):
    with pytest.raises(ConfigError, match="FLASK_CORS_ORIGINS"):
        make_app("sqlite://", CORS_ORIGINS=value)

"""Our Postman collection (docs/postman/): generated from the spec, up to date, every route in
it, and its token handling works under newman against a real server."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.compat.newman import run_newman
from tests.live_server import REPO, STORES_API, LiveServer

POSTMAN = REPO / "docs" / "postman"
COLLECTION = POSTMAN / "stores-api.postman_collection.json"
ENVIRONMENT = POSTMAN / "stores-api.postman_environment.json"
METHODS = {"get", "post", "put", "delete", "patch"}


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    """The spec as `make postman` writes it: `stores-api openapi write`."""
    workdir = tmp_path_factory.mktemp("spec")
    env = {"PATH": "/usr/bin:/bin", "FLASK_JWT_SECRET_KEY": "s" * 40}
    path = workdir / "openapi.json"
    subprocess.run(
        [STORES_API, "openapi", "write", "--format", "json", str(path)],
        env=env, cwd=workdir, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path


def collection_requests(collection: dict) -> list[dict]:
    def walk(items):
        for item in items:
            yield from walk(item["item"]) if "item" in item else [item]

    return list(walk(collection["item"]))


def route_of(item: dict) -> tuple[str, str]:
    path = "/" + "/".join(
        "{" + part[1:] + "}" if part.startswith(":") else part
        for part in item["request"]["url"]["path"]
    )
    return item["request"]["method"].lower(), path


def test_the_committed_collection_is_what_make_postman_generates(spec_file, tmp_path):
    subprocess.run(
        ["node", str(POSTMAN / "generate.mjs"), str(spec_file), str(tmp_path)],
        cwd=REPO, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    for name in (COLLECTION.name, ENVIRONMENT.name):
        assert (tmp_path / name).read_text() == (POSTMAN / name).read_text(), (
            f"docs/postman/{name} is out of date: run `make postman`"
        )


def test_the_collection_has_a_request_for_every_operation(spec_file):
    spec = json.loads(spec_file.read_text())
    operations = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }
    requests = [route_of(item) for item in collection_requests(json.loads(COLLECTION.read_text()))]
    assert sorted(requests) == sorted(operations)


def test_protected_requests_send_the_stored_tokens(spec_file):
    spec = json.loads(spec_file.read_text())
    for item in collection_requests(json.loads(COLLECTION.read_text())):
        method, path = route_of(item)
        security = spec["paths"][path][method].get("security") or []
        auth = item["request"].get("auth") or {"type": "noauth"}
        token = auth["bearer"][0]["value"] if auth["type"] == "bearer" else None
        if path == "/refresh":
            assert token == "{{refresh_token}}"
        elif {"bearerAuth": []} in security:
            assert token == "{{access_token}}", (method, path)
        else:
            assert token is None, (method, path)


@pytest.fixture(scope="module")
def token_run(tmp_path_factory):
    """Register, log in, refresh, then read a user and the items, as a Postman user would."""
    server = LiveServer(tmp_path_factory.mktemp("ours")).start()
    try:
        folders = [
            "Create a user account",
            "Log in: a fresh access token and a refresh token (a new session)",
            "Trade a refresh token for a new, non-fresh access token and a new refresh token",
            "Get a user (themself, or an admin)",
            "List items: full for logged-in users, names only for visitors",
        ]
        return run_newman(
            COLLECTION, ENVIRONMENT, {"server_address": server.url}, server.workdir, folders
        )
    finally:
        server.stop()


def test_login_stores_both_tokens_and_refresh_replaces_both(token_run):
    register, login, refresh, user, items = token_run.executions
    assert (register.status, login.status, refresh.status) == (201, 200, 200)
    tokens = login.json()
    assert refresh.request_headers["authorization"] == f"Bearer {tokens['refresh_token']}"
    new_access = refresh.json()["access_token"]
    assert new_access != tokens["access_token"]
    # The refresh token rotates: the environment keeps the new one.
    assert token_run.environment["refresh_token"] == refresh.json()["refresh_token"]
    assert token_run.environment["access_token"] == new_access


def test_requests_after_refresh_use_the_new_access_token(token_run):
    refresh, user, items = token_run.executions[2:]
    new_access = refresh.json()["access_token"]
    assert user.request_headers["authorization"] == f"Bearer {new_access}"
    assert user.status == 200 and user.json()["username"] == "postman-user"
    assert items.status == 200 and items.json() == {"items": []}

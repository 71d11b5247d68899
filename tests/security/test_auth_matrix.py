"""The auth matrix: every documented operation x every token state -> the exact status and error.

Operations are read from /openapi.json; an operation without a row in EXPECTED (or a row
for an operation that no longer exists) fails the test, so a new route cannot slip in
unreviewed. Every cell runs on a freshly seeded database, and every response is also
validated against the spec (documented status, content type and body schema).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

import jwt as pyjwt
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from tests.conftest import TEST_SECRET
from tests.helpers import PASSWORD, Api, decode_claims, unsigned_token
from tests.security.figures import record

# How an operation treats a token.
PUBLIC = "public"  # no token needed; any Authorization header is ignored
OPTIONAL = "optional"  # no token needed, but one that is sent must be valid
LOGIN = "login"  # a valid access token
FRESH = "fresh"  # a valid, fresh access token
ADMIN = "admin"  # a valid access token with the admin role
REFRESH = "refresh"  # a valid refresh token

# operation -> (how it treats a token, status for an accepted caller)
EXPECTED: dict[str, tuple[str, int]] = {
    "POST /register": (PUBLIC, 201),
    "POST /login": (PUBLIC, 200),
    "POST /auth": (PUBLIC, 200),
    "POST /refresh": (REFRESH, 200),
    "POST /logout": (LOGIN, 200),
    "POST /logout/all": (LOGIN, 200),
    "GET /users": (ADMIN, 200),
    "PUT /user/{user_id}/role": (ADMIN, 200),
    "PUT /user/{user_id}/password": (FRESH, 200),
    "GET /user/{user_id}/sessions": (LOGIN, 200),
    "DELETE /user/{user_id}/sessions/{sid}": (LOGIN, 200),
    "GET /user/{user_id}": (LOGIN, 200),
    "DELETE /user/{user_id}": (FRESH, 200),
    "GET /store/{name}": (PUBLIC, 200),
    "POST /store/{name}": (LOGIN, 201),
    "DELETE /store/{name}": (ADMIN, 200),
    "GET /stores": (PUBLIC, 200),
    "GET /item/{name}": (LOGIN, 200),
    "POST /item/{name}": (FRESH, 201),
    "PUT /item/{name}": (LOGIN, 200),
    "DELETE /item/{name}": (ADMIN, 200),
    "GET /items": (OPTIONAL, 200),
    "GET /healthz": (PUBLIC, 200),
    "GET /readyz": (PUBLIC, 200),
}

STATES = [
    "none",
    "user",
    "admin",
    "expired",
    "bad_signature",
    "alg_none",
    "other_algorithm",
    "wrong_type",
    "non_fresh",
    "revoked",
    "deleted_user",
]
# Token states that no protected operation accepts, with the 401 error code they earn.
REFUSED = {
    "expired": "token_expired",
    "bad_signature": "invalid_token",
    "alg_none": "invalid_token",
    "other_algorithm": "invalid_token",
    "wrong_type": "invalid_token",
    "revoked": "token_revoked",
    "deleted_user": "token_revoked",
}


def expected(kind: str, ok: int, state: str) -> tuple[int, str | None]:
    """The (status, error code) a caller in `state` gets from an operation of this kind."""
    if kind == PUBLIC:
        return ok, None
    if state == "none":
        return (ok, None) if kind == OPTIONAL else (401, "authorization_required")
    if state in REFUSED:
        return 401, REFUSED[state]
    if kind == REFRESH and state == "non_fresh":
        return 401, "invalid_token"  # an access token where a refresh token belongs
    if kind == FRESH and state == "non_fresh":
        return 401, "fresh_token_required"
    if kind == ADMIN and state != "admin":
        return 403, "admin_required"
    return ok, None


@dataclass
class World:
    """One seeded database: an owner (alice), an admin, a store with an item, and tokens."""

    store_id: int
    alice: dict
    tokens: dict[str, str]
    spare_sid: str  # another live session of alice's


def _forge(app, claims: dict, state: str) -> str:
    if state == "bad_signature":
        return pyjwt.encode(claims, "another-key-" + "x" * 40, algorithm="HS256")
    if state == "alg_none":
        return unsigned_token(claims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyjwt.warnings.InsecureKeyLengthWarning)
        return pyjwt.encode(claims, TEST_SECRET, algorithm="HS512")


def _expired(app, user_id: int, refresh: bool) -> str:
    from flask_jwt_extended import create_access_token, create_refresh_token

    create = create_refresh_token if refresh else create_access_token
    with app.app_context():
        return create(str(user_id), expires_delta=timedelta(seconds=-60))


def reset(app) -> None:
    from stores_api.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            db.drop_all()
            db.create_all()


def seed_world(app, kind: str) -> World:
    api = Api(app.test_client())
    alice = api.new_user("alice")
    admin = api.register("root-admin")
    assert app.test_cli_runner().invoke(args=["create-admin", "root-admin"]).exit_code == 0
    admin = api.login_user(admin)
    revoked = api.login_user(alice)
    assert api.post("/logout", token=revoked["access"]).status_code == 200
    ghost = api.new_user("ghost")
    assert api.delete(f"/user/{ghost['id']}", token=admin["access"]).status_code == 200
    store = api.post("/store/main", token=alice["access"]).get_json()
    assert api.create_item("chair", alice["access"], store["id"]).status_code == 201

    wants_refresh = kind == REFRESH
    token = "refresh" if wants_refresh else "access"
    base = decode_claims(alice[token])
    tokens = {
        "user": alice[token],
        "admin": admin[token],
        "expired": _expired(app, alice["id"], wants_refresh),
        "bad_signature": _forge(app, base, "bad_signature"),
        "alg_none": _forge(app, base, "alg_none"),
        "other_algorithm": _forge(app, base, "other_algorithm"),
        "wrong_type": alice["access" if wants_refresh else "refresh"],
        # From another session: refreshing rotates that session's refresh token, not alice's.
        "non_fresh": api.refreshed_access(api.login_user(alice)),
        "revoked": revoked[token],
        "deleted_user": ghost[token],
    }
    spare_sid = decode_claims(api.login_user(alice)["access"])["sid"]
    return World(store_id=store["id"], alice=alice, tokens=tokens, spare_sid=spare_sid)


def request_for(label: str, world: World) -> dict:
    """Path parameters and body that an accepted caller would succeed with."""
    method, path = label.split(" ", 1)
    params: dict = {}
    body = None
    if "{user_id}" in path:
        params["user_id"] = world.alice["id"]
    if "{sid}" in path:
        params["sid"] = world.spare_sid
    if "{name}" in path:
        params["name"] = "new-one" if method == "POST" else ("main" if "store" in path else "chair")
    if path == "/register":
        body = {"username": "newcomer", "password": PASSWORD}
    elif path in ("/login", "/auth"):
        body = {"username": "alice", "password": PASSWORD}
    elif path.endswith("/role"):
        body = {"role": "user"}
    elif path.endswith("/password"):
        body = {"old_password": PASSWORD, "new_password": "another long passphrase"}
    elif path.startswith("/item/") and method in ("POST", "PUT"):
        body = {"price": 3.5, "store_id": world.store_id}
    return {"path_parameters": params, "body": body}


def documented_operations(app) -> set[str]:
    spec = app.test_client().get("/openapi.json").get_json()
    methods = {"get", "put", "post", "delete", "patch"}
    return {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m in methods}


def test_every_operation_has_a_row_in_the_matrix(cheap_app):
    documented = documented_operations(cheap_app)
    assert sorted(documented - EXPECTED.keys()) == [], "add these operations to EXPECTED"
    assert sorted(EXPECTED.keys() - documented) == [], "these rows name no documented operation"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_every_operation_answers_every_token_state_as_expected(cheap_app, database_url):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", cheap_app)
    mismatches: list[str] = []
    cells = 0
    for label in sorted(EXPECTED):  # each operation starts from a fresh world
        kind, ok = EXPECTED[label]
        operation = schema.find_operation_by_label(label)
        assert operation is not None, label
        world = None
        for state in STATES:
            if world is None:  # a fresh world after any request that may have changed it
                reset(cheap_app)
                world = seed_world(cheap_app, kind)
            want = expected(kind, ok, state)
            headers = {}
            if state != "none":
                headers["Authorization"] = f"Bearer {world.tokens[state]}"
            spec = request_for(label, world)
            extra = {}
            if spec["body"] is not None:
                extra = {"body": spec["body"], "media_type": "application/json"}
            case = operation.Case(path_parameters=spec["path_parameters"], **extra)
            response = case.call(headers=headers)
            cells += 1
            if case.method.upper() != "GET" and response.status_code < 400:
                world = None
            error = response.json().get("error") if response.status_code >= 400 else None
            got = (response.status_code, error)
            if got != want:
                mismatches.append(f"{label} as {state}: expected {want}, got {got}")
                continue
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # noqa: BLE001 - every failure is one mismatch to report
                mismatches.append(f"{label} as {state}: response off-spec: {exc}")
    record("auth_matrix_cells", cells)
    record("auth_matrix_mismatches", len(mismatches))
    assert mismatches == []

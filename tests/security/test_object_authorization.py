"""Object-level authorization: nobody reads, changes or deletes another user's account or
sessions, and unknown body fields (id, role) are rejected, never applied."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, decode_claims


def user_operations(app) -> list[str]:
    """Every documented operation on one user's account or its sub-resources."""
    spec = app.test_client().get("/openapi.json").get_json()
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        if "{user_id}" in path
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def test_no_user_can_touch_another_users_account_or_sessions(cheap_app, cheap_api):
    alice = cheap_api.new_user("alice")
    bob = cheap_api.new_user("bob")
    operations = user_operations(cheap_app)
    assert "GET /user/{user_id}" in operations and "DELETE /user/{user_id}" in operations
    for label in operations:
        method, path = label.split(" ", 1)
        body = {"password": PASSWORD, "new_password": "another long passphrase", "role": "admin"}
        response = cheap_api.request(
            method, path.replace("{user_id}", str(bob["id"])), token=alice["access"], json=body
        )
        assert response.status_code in (403, 422), (label, response.get_json())
        if response.status_code == 403:  # admin-only operations say which right is missing
            assert response.get_json()["error"] in ("forbidden", "admin_required")
    # Bob is untouched: his account, role, password and session all still work.
    assert cheap_api.get(f"/user/{bob['id']}", token=bob["access"]).get_json()["role"] == "user"
    assert (
        cheap_api.post("/login", json={"username": "bob", "password": PASSWORD}).status_code == 200
    )


@pytest.mark.parametrize("field", [{"id": 99}, {"role": "admin"}, {"is_admin": True}])
def test_registration_with_extra_fields_is_422_and_not_applied(cheap_api, field):
    body = {"username": "mallory", "password": PASSWORD, **field}
    response = cheap_api.post("/register", json=body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == list(field)
    login = cheap_api.post("/login", json={"username": "mallory", "password": PASSWORD})
    assert login.status_code == 401  # the account was not created


def test_an_ordinary_users_token_carries_no_admin_claim(cheap_api):
    claims = decode_claims(cheap_api.new_user("mallory")["access"])
    assert claims["is_admin"] is False and claims["role"] == "user"


@pytest.mark.parametrize("field", [{"id": 99}, {"name": "renamed"}, {"store": {"id": 1}}])
def test_item_writes_with_extra_fields_are_422(cheap_api, field):
    alice = cheap_api.new_user("alice")
    store = cheap_api.post("/store/s", token=alice["access"]).get_json()
    body = {"price": 1, "store_id": store["id"], **field}
    response = cheap_api.put("/item/chair", token=alice["access"], json=body)
    assert response.status_code == 422
    assert cheap_api.get("/item/chair", token=alice["access"]).status_code == 404

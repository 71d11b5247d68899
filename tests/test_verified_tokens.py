"""A worker verifies a token's signature once; expiry and revocation are checked every time."""

import time

import pytest

from tests.conftest import make_app, prepare_database
from tests.helpers import Api, decode_claims


def test_a_token_that_was_accepted_is_refused_once_it_expires(database_url):
    app = make_app(database_url, JWT_ACCESS_TOKEN_EXPIRES=2)
    prepare_database(app)
    api = Api(app.test_client())
    token = api.new_user("alice")["access"]
    assert api.get("/items", token=token).status_code == 200  # verified, and remembered
    time.sleep(max(0.0, decode_claims(token)["exp"] - time.time()) + 1.1)
    response = api.get("/items", token=token)
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_expired"


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_token_altered_after_its_original_was_accepted_is_refused(api, user, part):
    assert api.get("/items", token=user["access"]).status_code == 200
    segments = user["access"].split(".")
    segment = segments[part]
    segments[part] = segment[:-2] + ("AA" if segment[-2:] != "AA" else "BB")
    response = api.get("/items", token=".".join(segments))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_a_remembered_admin_token_still_carries_its_role(api, admin):
    statuses = [api.get("/users", token=admin["access"]).status_code for _ in range(2)]
    assert statuses == [200, 200]  # verified, then remembered

"""Every token problem is a 401 with a stable error code; revocation is shared and durable."""

import warnings
from datetime import timedelta

import jwt as pyjwt
import pytest

from tests.conftest import TEST_SECRET, make_app
from tests.helpers import Api, decode_claims, unsigned_token


def expired_token(app, user) -> str:
    from flask_jwt_extended import create_access_token

    with app.app_context():
        return create_access_token(str(user["id"]), expires_delta=timedelta(seconds=-60))


def test_expired_token_is_401_token_expired(api, app, user):
    response = api.get("/item/chair", token=expired_token(app, user))
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_expired"


def test_expired_token_is_refused_on_optional_auth_routes(api, app, user):
    response = api.get("/items", token=expired_token(app, user))
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_expired"


def test_access_token_expiry_comes_from_config(database_url):
    from tests.conftest import prepare_database

    app = make_app(database_url, JWT_ACCESS_TOKEN_EXPIRES=60)
    prepare_database(app)
    api = Api(app.test_client())
    claims = decode_claims(api.new_user("alice")["access"])
    assert claims["exp"] - claims["iat"] == 60


def test_default_expiries_are_15_minutes_and_30_days(user):
    access, refresh = decode_claims(user["access"]), decode_claims(user["refresh"])
    assert access["exp"] - access["iat"] == 900
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


def test_token_signed_with_another_key_is_401_invalid_token(api, user):
    forged = pyjwt.encode(decode_claims(user["access"]), "x" * 48, algorithm="HS256")
    response = api.get("/items", token=forged)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_alg_none_token_is_401_invalid_token(api, user):
    response = api.get("/items", token=unsigned_token(decode_claims(user["access"])))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_token_with_another_algorithm_is_401_invalid_token(api, user):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyjwt.warnings.InsecureKeyLengthWarning)
        other = pyjwt.encode(decode_claims(user["access"]), TEST_SECRET, algorithm="HS512")
    response = api.get("/items", token=other)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Bearer"])
def test_malformed_token_is_401_invalid_token(api, token):
    response = api.get("/item/chair", token=token)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_refresh_token_used_as_access_token_is_401_invalid_token(api, user):
    response = api.get("/item/chair", token=user["refresh"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_error_bodies_have_the_one_shape(api):
    body = api.get("/item/chair").get_json()
    assert body == {
        "code": 401,
        "status": "Unauthorized",
        "message": body["message"],
        "error": "authorization_required",
    }
    assert body["message"]


def test_revocation_is_shared_by_two_app_instances_on_one_database(database_url, app):
    """Two app instances (as two workers or servers would be) share the blocklist."""
    first = Api(app.test_client())
    second = Api(make_app(database_url).test_client())
    alice = first.new_user("alice")
    assert second.get("/items", token=alice["access"]).status_code == 200
    assert first.post("/logout", token=alice["access"]).status_code == 200
    response = second.get("/items", token=alice["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_revocation_survives_a_restart(database_url, app):
    alice = Api(app.test_client()).new_user("alice")
    Api(app.test_client()).post("/logout", token=alice["access"])
    restarted = make_app(database_url)
    assert Api(restarted.test_client()).get("/items", token=alice["access"]).status_code == 401

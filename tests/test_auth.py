"""/register, /login, /auth, /refresh, /logout."""

import pytest

from tests.helpers import PASSWORD, decode_claims


def test_register_creates_a_user(api):
    response = api.post("/register", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 201
    assert response.get_json() == {"message": "User created successfully."}


def test_register_taken_username_is_409(api, user):
    response = api.post("/register", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 409
    assert response.get_json()["error"] == "username_taken"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "al", "password": PASSWORD}, "username"),
        ({"username": "a" * 81, "password": PASSWORD}, "username"),
        ({"username": "alice", "password": "short"}, "password"),
        ({"username": "alice"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": 123, "password": PASSWORD}, "username"),
        ({"username": "ali\x00ce", "password": PASSWORD}, "username"),
        ({"username": "alice", "password": PASSWORD, "role": "admin"}, "role"),
    ],
)
def test_register_invalid_body_is_422_naming_the_field(api, body, field):
    response = api.post("/register", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_password_min_length_comes_from_config(database_url):
    from tests.conftest import make_app, prepare_database

    app = make_app(database_url, PASSWORD_MIN_LENGTH=20)
    prepare_database(app)
    response = app.test_client().post(
        "/register", json={"username": "alice", "password": "nineteen-characters"}
    )
    assert response.status_code == 422


def test_password_is_stored_as_argon2id_hash(app, user):
    from stores_api.extensions import db
    from stores_api.models import User

    with app.app_context():
        stored = db.session.get(User, user["id"]).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_returns_fresh_access_and_refresh_tokens(api, user):
    response = api.post("/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "refresh_token"}
    assert decode_claims(body["access_token"])["fresh"] is True
    assert decode_claims(body["refresh_token"])["type"] == "refresh"


def test_login_tokens_are_not_cached(api, user):
    response = api.post("/login", json={"username": "alice", "password": PASSWORD})
    assert response.headers["Cache-Control"] == "no-store"


def test_access_token_identity_is_the_user_id_as_string(user):
    assert decode_claims(user["access"])["sub"] == str(user["id"])


def test_access_token_carries_role_claims_from_the_database(user, admin):
    assert decode_claims(user["access"])["role"] == "user"
    assert decode_claims(user["access"])["is_admin"] is False
    assert decode_claims(admin["access"])["role"] == "admin"
    assert decode_claims(admin["access"])["is_admin"] is True


def test_login_wrong_password_and_unknown_user_answer_the_same(api, user):
    wrong = api.post("/login", json={"username": "alice", "password": "not the password"})
    unknown = api.post("/login", json={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_first_edition_auth_returns_an_access_token(api, user):
    response = api.post("/auth", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    assert set(response.get_json()) == {"access_token"}
    assert api.get("/item/anything", token=token).status_code == 404


def test_first_edition_auth_wrong_password_is_401(api, user):
    response = api.post("/auth", json={"username": "alice", "password": "wrong password"})
    assert response.status_code == 401


def test_refresh_returns_a_non_fresh_access_token(api, user):
    response = api.post("/refresh", token=user["refresh"])
    assert response.status_code == 200
    assert set(response.get_json()) == {"access_token", "refresh_token"}
    assert decode_claims(response.get_json()["access_token"])["fresh"] is False


def test_refresh_with_an_access_token_is_401_invalid_token(api, user):
    response = api.post("/refresh", token=user["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"


def test_refresh_without_a_token_is_401_authorization_required(api):
    response = api.post("/refresh")
    assert response.status_code == 401
    assert response.get_json()["error"] == "authorization_required"


def test_logout_revokes_the_access_token(api, user):
    assert api.post("/logout", token=user["access"]).status_code == 200
    response = api.get("/items", token=user["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_logout_revokes_the_refresh_token_issued_with_it(api, user):
    api.post("/logout", token=user["access"])
    response = api.post("/refresh", token=user["refresh"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_logout_with_a_refreshed_token_also_revokes_the_refresh_token(api, user):
    access = api.refreshed_access(user)
    assert api.post("/logout", token=access).status_code == 200
    assert api.post("/refresh", token=user["refresh"]).status_code == 401


def test_logout_leaves_other_sessions_working(api, user):
    second = api.login_user(user)
    api.post("/logout", token=user["access"])
    assert api.get("/items", token=second["access"]).status_code == 200


def test_logout_answers_a_message(api, user):
    response = api.post("/logout", token=user["access"])
    assert response.get_json() == {"message": "Successfully logged out."}


def test_logout_twice_is_401_token_revoked(api, user):
    api.post("/logout", token=user["access"])
    response = api.post("/logout", token=user["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"

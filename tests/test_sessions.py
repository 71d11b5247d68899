"""Sessions: refresh rotation with reuse detection, logout (one, all), password changes,
session listing and revocation, admin user management — with and without Redis."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.helpers import PASSWORD, decode_claims
from tests.sessions_support import api_for, app_factory, redis_prefix, revocation_store  # noqa: F401


@pytest.fixture
def app(app_factory):  # noqa: F811
    # No grace: a rotated refresh token presented again is reuse at once.
    return app_factory(REFRESH_GRACE_SECONDS=0)


def refresh(api, token):
    return api.post("/refresh", token=token)


def assert_revoked(response):
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["error"] == "token_revoked"


# Rotation


def test_refresh_answers_a_new_refresh_token_of_the_same_session(api, user):
    body = refresh(api, user["refresh"]).get_json()
    new, old = decode_claims(body["refresh_token"]), decode_claims(user["refresh"])
    assert new["jti"] != old["jti"]
    assert new["sid"] == old["sid"] == decode_claims(body["access_token"])["sid"]


def test_rotated_refresh_token_keeps_working(api, user):
    second = refresh(api, user["refresh"]).get_json()["refresh_token"]
    third = refresh(api, second)
    assert third.status_code == 200
    assert refresh(api, third.get_json()["refresh_token"]).status_code == 200


def test_old_refresh_token_stops_working_after_rotation(api, user):
    refresh(api, user["refresh"])
    assert_revoked(refresh(api, user["refresh"]))


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api, user):
    rotated = refresh(api, user["refresh"]).get_json()
    refresh(api, user["refresh"])  # theft: the old token again
    assert_revoked(refresh(api, rotated["refresh_token"]))
    assert_revoked(api.get("/items", token=rotated["access_token"]))
    assert_revoked(api.get("/items", token=user["access"]))


def test_reuse_leaves_the_users_other_sessions_working(api, user):
    other = api.login_user(user)
    refresh(api, user["refresh"])
    refresh(api, user["refresh"])
    assert api.get("/items", token=other["access"]).status_code == 200
    assert refresh(api, other["refresh"]).status_code == 200


def test_retry_within_grace_answers_the_sessions_current_refresh_token(app_factory):  # noqa: F811
    api = api_for(app_factory(REFRESH_GRACE_SECONDS=30))
    alice = api.new_user("alice")
    first = refresh(api, alice["refresh"]).get_json()
    retry = refresh(api, alice["refresh"])
    assert retry.status_code == 200
    current = decode_claims(retry.get_json()["refresh_token"])
    assert current["jti"] == decode_claims(first["refresh_token"])["jti"]
    assert current["exp"] == decode_claims(first["refresh_token"])["exp"]
    assert refresh(api, retry.get_json()["refresh_token"]).status_code == 200


def test_retry_within_grace_does_not_revoke_the_session(app_factory):  # noqa: F811
    api = api_for(app_factory(REFRESH_GRACE_SECONDS=30))
    alice = api.new_user("alice")
    first = refresh(api, alice["refresh"]).get_json()
    refresh(api, alice["refresh"])
    assert api.get("/items", token=first["access_token"]).status_code == 200
    assert api.get("/items", token=alice["access"]).status_code == 200


def test_token_two_rotations_old_is_reuse_even_within_grace(app_factory):  # noqa: F811
    api = api_for(app_factory(REFRESH_GRACE_SECONDS=30))
    alice = api.new_user("alice")
    second = refresh(api, alice["refresh"]).get_json()["refresh_token"]
    third = refresh(api, second).get_json()["refresh_token"]
    assert_revoked(refresh(api, alice["refresh"]))
    assert_revoked(refresh(api, third))


def test_concurrent_refreshes_with_one_token_all_get_the_same_new_family_token(app_factory):  # noqa: F811
    app = app_factory(REFRESH_GRACE_SECONDS=30)
    alice = api_for(app).new_user("alice")
    racers = 4
    barrier = Barrier(racers)

    def one(_):
        client = app.test_client()
        barrier.wait()
        response = client.post("/refresh", headers={"Authorization": f"Bearer {alice['refresh']}"})
        return response.status_code, decode_claims(response.get_json()["refresh_token"])["jti"]

    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(one, range(racers)))
    assert Counter(status for status, _ in results) == Counter({200: racers})
    assert len({jti for _, jti in results}) == 1


def test_refresh_reads_the_role_again(api, app, user):
    app.test_cli_runner().invoke(args=["create-admin", "alice"])
    body = refresh(api, user["refresh"]).get_json()
    assert decode_claims(body["access_token"])["is_admin"] is True


# Logout


def test_logout_revokes_access_tokens_issued_by_refresh_in_that_session(api, user):
    rotated = refresh(api, user["refresh"]).get_json()
    api.post("/logout", token=user["access"])
    assert_revoked(api.get("/items", token=rotated["access_token"]))
    assert_revoked(refresh(api, rotated["refresh_token"]))


def test_logout_all_revokes_every_session_of_the_user(api, user):
    phone, laptop = api.login_user(user), api.login_user(user)
    response = api.post("/logout/all", token=user["access"])
    assert response.status_code == 200
    assert response.get_json() == {"message": "Logged out of every session.", "revoked": 3}
    for session in (user, phone, laptop):
        assert_revoked(api.get("/items", token=session["access"]))
        assert_revoked(refresh(api, session["refresh"]))


def test_logout_all_leaves_other_users_logged_in(api, user, other_user):
    api.post("/logout/all", token=user["access"])
    assert api.get("/items", token=other_user["access"]).status_code == 200


def test_login_after_logout_all_works(api, user):
    api.post("/logout/all", token=user["access"])
    again = api.login_user(user)
    assert api.get("/items", token=again["access"]).status_code == 200


def test_token_without_a_session_is_refused(api, app, user):
    from flask_jwt_extended import create_access_token

    with app.app_context():
        legacy = create_access_token(str(user["id"]))
    assert_revoked(api.get("/items", token=legacy))


# Password change


def change_password(api, user, token, **body):
    return api.put(f"/user/{user['id']}/password", token=token, json=body)


def test_password_change_revokes_every_other_session(api, user):
    other = api.login_user(user)
    response = change_password(
        api, user, user["access"], old_password=PASSWORD, new_password="a new passphrase"
    )
    assert response.status_code == 200
    assert response.get_json() == {"message": "Password changed.", "revoked": 1}
    assert_revoked(api.get("/items", token=other["access"]))
    assert_revoked(refresh(api, other["refresh"]))


def test_password_change_keeps_the_current_session(api, user):
    change_password(api, user, user["access"], old_password=PASSWORD, new_password="new secret 1")
    assert api.get("/items", token=user["access"]).status_code == 200
    assert refresh(api, user["refresh"]).status_code == 200


def test_new_password_logs_in_and_the_old_one_does_not(api, user):
    change_password(api, user, user["access"], old_password=PASSWORD, new_password="new secret 1")
    old = api.post("/login", json={"username": "alice", "password": PASSWORD})
    new = api.post("/login", json={"username": "alice", "password": "new secret 1"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_password_change_needs_a_fresh_token(api, user):
    token = api.refreshed_access(user)
    response = change_password(api, user, token, old_password=PASSWORD, new_password="new secret")
    assert response.status_code == 401
    assert response.get_json()["error"] == "fresh_token_required"


def test_password_change_with_a_wrong_old_password_is_403(api, user):
    response = change_password(
        api, user, user["access"], old_password="not it at all", new_password="new secret 1"
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "wrong_password"


def test_password_change_of_ones_own_needs_the_old_password(api, user):
    response = change_password(api, user, user["access"], new_password="new secret 1")
    assert response.status_code == 403
    assert response.get_json()["error"] == "old_password_required"


def test_password_change_refuses_a_short_new_password(api, user):
    response = change_password(api, user, user["access"], old_password=PASSWORD, new_password="x")
    assert response.status_code == 422


def test_user_cannot_change_another_users_password(api, user, other_user):
    response = change_password(api, other_user, user["access"], new_password="new secret 1")
    assert response.status_code == 403


def test_admin_reset_revokes_every_session_of_the_user(api, admin, user):
    other = api.login_user(user)
    response = change_password(api, user, admin["access"], new_password="reset by admin")
    assert response.status_code == 200
    assert response.get_json()["revoked"] == 2
    for session in (user, other):
        assert_revoked(api.get("/items", token=session["access"]))
    login = api.post("/login", json={"username": "alice", "password": "reset by admin"})
    assert login.status_code == 200


# Listing and revoking sessions


def test_sessions_list_shows_live_sessions_with_their_details(api, user):
    api.post(
        "/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"User-Agent": "phone-app/2.1"},
    )
    response = api.get(f"/user/{user['id']}/sessions", token=user["access"])
    assert response.status_code == 200
    sessions = response.get_json()["sessions"]
    assert len(sessions) == 2
    assert set(sessions[0]) == {
        "id", "created_at", "last_refreshed_at", "expires_at", "user_agent", "current"
    }  # fmt: skip
    assert [s["current"] for s in sessions] == [True, False]
    assert sessions[1]["user_agent"] == "phone-app/2.1"
    assert sessions[0]["id"] == decode_claims(user["access"])["sid"]


def test_sessions_list_records_the_last_refresh(api, user):
    token = api.refreshed_access(user)
    sessions = api.get(f"/user/{user['id']}/sessions", token=token).get_json()["sessions"]
    assert sessions[0]["last_refreshed_at"] is not None


def test_sessions_list_leaves_out_revoked_sessions(api, user):
    other = api.login_user(user)
    api.post("/logout", token=other["access"])
    sessions = api.get(f"/user/{user['id']}/sessions", token=user["access"]).get_json()
    assert len(sessions["sessions"]) == 1


def test_user_cannot_list_another_users_sessions(api, user, other_user):
    assert api.get(f"/user/{other_user['id']}/sessions", token=user["access"]).status_code == 403


def test_admin_lists_any_users_sessions(api, admin, user):
    response = api.get(f"/user/{user['id']}/sessions", token=admin["access"])
    assert len(response.get_json()["sessions"]) == 1


def test_deleting_a_session_revokes_its_tokens(api, user):
    phone = api.login_user(user)
    sid = decode_claims(phone["access"])["sid"]
    response = api.delete(f"/user/{user['id']}/sessions/{sid}", token=user["access"])
    assert response.status_code == 200
    assert_revoked(api.get("/items", token=phone["access"]))
    assert_revoked(refresh(api, phone["refresh"]))
    assert api.get("/items", token=user["access"]).status_code == 200


def test_deleting_an_unknown_session_is_404(api, user):
    response = api.delete(f"/user/{user['id']}/sessions/nope", token=user["access"])
    assert response.status_code == 404
    assert response.get_json()["error"] == "session_not_found"


def test_deleting_another_users_session_under_ones_own_id_is_404(api, user, other_user):
    sid = decode_claims(other_user["access"])["sid"]
    response = api.delete(f"/user/{user['id']}/sessions/{sid}", token=user["access"])
    assert response.status_code == 404
    assert api.get("/items", token=other_user["access"]).status_code == 200


def test_deleting_a_user_revokes_their_tokens(api, admin, user):
    api.delete(f"/user/{user['id']}", token=admin["access"])
    assert_revoked(api.get("/items", token=user["access"]))
    assert_revoked(refresh(api, user["refresh"]))


def test_expired_sessions_are_pruned_at_the_next_login(api, app, user):
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from stores_api.extensions import db
    from stores_api.models import Session

    with app.app_context():
        db.session.execute(update(Session).values(expires_at=datetime(2000, 1, 1, tzinfo=UTC)))
        db.session.commit()
    api.login_user(user)
    with app.app_context():
        assert len(db.session.scalars(select(Session)).all()) == 1


# Admin user management


def test_admin_lists_users_a_page_at_a_time(api, admin, user, other_user):
    response = api.get("/users?page=2&per_page=2", token=admin["access"])
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 3)
    assert [u["username"] for u in body["users"]] == ["bob"]
    assert set(body["users"][0]) == {"id", "username", "role"}


def test_users_list_is_for_admins_only(api, user):
    response = api.get("/users", token=user["access"])
    assert response.status_code == 403
    assert response.get_json()["error"] == "admin_required"


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "page=x"])
def test_users_list_refuses_bad_paging(api, admin, query):
    assert api.get(f"/users?{query}", token=admin["access"]).status_code == 422


def test_role_change_takes_effect_at_the_next_token(api, admin, user):
    response = api.put(f"/user/{user['id']}/role", token=admin["access"], json={"role": "admin"})
    assert response.status_code == 200
    assert response.get_json()["role"] == "admin"
    assert api.get("/users", token=user["access"]).status_code == 403
    assert api.get("/users", token=api.refreshed_access(user)).status_code == 200


def test_demoting_an_admin_revokes_their_sessions(api, admin, user):
    api.put(f"/user/{user['id']}/role", token=admin["access"], json={"role": "admin"})
    promoted = api.login_user(user)
    api.put(f"/user/{user['id']}/role", token=admin["access"], json={"role": "user"})
    assert_revoked(api.get("/users", token=promoted["access"]))
    assert_revoked(refresh(api, promoted["refresh"]))


def test_promoting_a_user_keeps_their_sessions(api, admin, user):
    api.put(f"/user/{user['id']}/role", token=admin["access"], json={"role": "admin"})
    assert api.get("/items", token=user["access"]).status_code == 200


def test_unknown_role_is_422(api, admin, user):
    response = api.put(f"/user/{user['id']}/role", token=admin["access"], json={"role": "god"})
    assert response.status_code == 422


def test_role_change_is_for_admins_only(api, user, other_user):
    response = api.put(
        f"/user/{other_user['id']}/role", token=user["access"], json={"role": "admin"}
    )
    assert response.status_code == 403


def test_role_change_of_an_unknown_user_is_404(api, admin):
    assert (
        api.put("/user/9999/role", token=admin["access"], json={"role": "user"}).status_code == 404
    )

"""Rate limits: login attempts per IP, failed logins per username and per IP, registrations
per IP, refreshes per session; 429 in the one error shape with Retry-After; counters in memory
or in Redis."""

import pytest

from stores_api.auth.passwords import hashing_slot
from tests.conftest import make_app, prepare_database
from tests.helpers import PASSWORD
from tests.sessions_support import (  # noqa: F401
    api_for,
    app_factory,
    redis_config,
    redis_prefix,
    revocation_store,
)

WRONG = {"username": "alice", "password": "not the password"}
RIGHT = {"username": "alice", "password": PASSWORD}


@pytest.fixture
def limited(app_factory):  # noqa: F811
    """An app with low limits, and alice registered on it."""

    def build(**limits):
        config = {
            "RATELIMIT_LOGIN_PER_USERNAME": "3 per minute",
            "RATELIMIT_LOGIN_PER_IP": "100 per minute",
            "RATELIMIT_LOGIN_ATTEMPTS_PER_IP": "100 per minute",
            "RATELIMIT_REGISTER_PER_IP": "100 per minute",
            "RATELIMIT_REFRESH_PER_SESSION": "100 per minute",
            **limits,
        }
        api = api_for(app_factory(**config))
        api.register("alice")
        return api

    return build


def fail_logins(api, times, **kwargs):
    for _ in range(times):
        assert api.post("/login", json=WRONG, **kwargs).status_code == 401


def test_failed_logins_past_the_username_limit_are_429(limited):
    api = limited()
    fail_logins(api, 3)
    response = api.post("/login", json=WRONG)
    assert response.status_code == 429
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "error"}
    assert (body["code"], body["error"]) == (429, "rate_limited")


def test_rate_limited_answer_says_when_to_retry(limited):
    api = limited()
    fail_logins(api, 3)
    retry_after = int(api.post("/login", json=WRONG).headers["Retry-After"])
    assert 1 <= retry_after <= 60


def test_past_the_limit_even_the_right_password_is_429(limited):
    api = limited()
    fail_logins(api, 3)
    response = api.post("/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 429


def test_successful_logins_do_not_count_as_failed_ones(limited):
    api = limited()
    for _ in range(5):
        assert (
            api.post("/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
        )


def test_login_attempts_past_the_ip_limit_are_429_even_when_they_succeed(limited):
    api = limited(RATELIMIT_LOGIN_ATTEMPTS_PER_IP="3 per minute")
    for _ in range(3):
        assert api.post("/login", json=RIGHT).status_code == 200
    response = api.post("/login", json=RIGHT)
    assert response.status_code == 429
    assert response.get_json()["error"] == "rate_limited"


def test_login_attempt_limit_answer_says_when_to_retry(limited):
    api = limited(RATELIMIT_LOGIN_ATTEMPTS_PER_IP="1 per minute")
    api.post("/login", json=RIGHT)
    retry_after = int(api.post("/login", json=RIGHT).headers["Retry-After"])
    assert 1 <= retry_after <= 60


def test_first_edition_auth_shares_the_login_attempt_count(limited):
    api = limited(RATELIMIT_LOGIN_ATTEMPTS_PER_IP="2 per minute")
    assert api.post("/login", json=RIGHT).status_code == 200
    assert api.post("/auth", json=RIGHT).status_code == 200
    assert api.post("/auth", json=RIGHT).status_code == 429


def test_login_attempt_limit_answers_before_any_hashing(limited):
    # Past the limit, a login finding no free hashing slot is told 429, not 503 login_busy:
    # it never asked for a slot.
    api = limited(
        RATELIMIT_LOGIN_ATTEMPTS_PER_IP="1 per minute",
        ARGON2_MAX_CONCURRENT=1,
        ARGON2_MAX_WAITING=0,
        ARGON2_MAX_WAIT_SECONDS=0,
    )
    api.post("/login", json=RIGHT)
    with api.client.application.app_context(), hashing_slot():
        response = api.post("/login", json=RIGHT)
    assert response.status_code == 429


def test_login_attempt_limit_is_per_client_ip(limited):
    api = limited(TRUSTED_PROXIES=1, RATELIMIT_LOGIN_ATTEMPTS_PER_IP="1 per minute")
    api.post("/login", json=RIGHT, headers={"X-Forwarded-For": "198.51.100.1"})
    other = api.post("/login", json=RIGHT, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200


def test_a_locked_username_does_not_lock_out_others(limited):
    api = limited()
    api.register("bob")
    fail_logins(api, 3)
    assert api.post("/login", json={"username": "bob", "password": PASSWORD}).status_code == 200


def test_first_edition_auth_shares_the_failed_login_count(limited):
    api = limited()
    fail_logins(api, 2)
    assert api.post("/auth", json=WRONG).status_code == 401
    assert api.post("/auth", json=WRONG).status_code == 429


def test_failed_logins_per_ip_count_across_usernames(limited):
    api = limited(RATELIMIT_LOGIN_PER_IP="3 per minute", RATELIMIT_LOGIN_PER_USERNAME="9/minute")
    for name in ("u1", "u2", "u3"):
        assert api.post("/login", json={"username": name, "password": "x"}).status_code == 401
    assert api.post("/login", json={"username": "u4", "password": "x"}).status_code == 429


def test_registrations_past_the_ip_limit_are_429(limited):
    api = limited(RATELIMIT_REGISTER_PER_IP="2 per minute")  # alice was the first
    api.register("bob")
    response = api.post("/register", json={"username": "carol", "password": PASSWORD})
    assert response.status_code == 429


def test_refreshes_past_the_session_limit_are_429(limited):
    api = limited(RATELIMIT_REFRESH_PER_SESSION="2 per minute")
    alice = api.login_user({"username": "alice", "password": PASSWORD})
    api.refreshed_access(alice)
    api.refreshed_access(alice)
    assert api.post("/refresh", token=alice["refresh"]).status_code == 429


def test_refresh_limit_is_per_session(limited):
    api = limited(RATELIMIT_REFRESH_PER_SESSION="1 per minute")
    phone = api.login_user({"username": "alice", "password": PASSWORD})
    laptop = api.login_user({"username": "alice", "password": PASSWORD})
    api.refreshed_access(phone)
    assert api.post("/refresh", token=laptop["refresh"]).status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(limited):
    api = limited(RATELIMIT_LOGIN_PER_IP="2 per minute", RATELIMIT_LOGIN_PER_USERNAME="9/minute")
    for client_ip in ("198.51.100.1", "198.51.100.2"):
        fail_logins(api, 1, headers={"X-Forwarded-For": client_ip})
    response = api.post("/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.3"})
    assert response.status_code == 429


def test_forwarded_for_from_a_trusted_proxy_names_the_client(limited):
    api = limited(
        TRUSTED_PROXIES=1,
        RATELIMIT_LOGIN_PER_IP="2 per minute",
        RATELIMIT_LOGIN_PER_USERNAME="9/minute",
    )
    fail_logins(api, 2, headers={"X-Forwarded-For": "198.51.100.1"})
    other = api.post("/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.2"})
    again = api.post("/login", json=WRONG, headers={"X-Forwarded-For": "198.51.100.1"})
    assert (other.status_code, again.status_code) == (401, 429)


def test_login_limit_holds_across_two_apps_sharing_redis(database_url, redis_prefix):  # noqa: F811
    config = {**redis_config(redis_prefix), "RATELIMIT_LOGIN_PER_USERNAME": "3 per minute"}
    first = make_app(database_url, **config)
    prepare_database(first)
    first, second = api_for(first), api_for(make_app(database_url, **config))
    first.register("alice")
    fail_logins(first, 2)
    fail_logins(second, 1)
    assert first.post("/login", json=WRONG).status_code == 429
    assert second.post("/login", json=WRONG).status_code == 429


def test_with_rate_limiting_switched_off_no_limit_applies(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=False, RATELIMIT_LOGIN_PER_USERNAME="1 per hour")
    prepare_database(app)
    api = api_for(app)
    api.register("alice")
    assert {api.post("/login", json=WRONG).status_code for _ in range(3)} == {401}

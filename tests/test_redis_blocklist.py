"""With REDIS_URL, revoked sessions live in Redis: shared, O(1), expiring with the token,
rebuilt from the database if Redis lost them, and failing closed when Redis is down."""

import redis

from stores_api.diagnostics import HEADER
from tests.conftest import make_app, prepare_database
from tests.helpers import decode_claims
from tests.sessions_support import (
    TEST_REDIS_URL,
    UNREACHABLE_REDIS_URL,
    api_for,
    redis_config,
    redis_prefix,  # noqa: F401
)


def redis_app(database_url, prefix, **config):
    app = make_app(database_url, **redis_config(prefix), **config)
    prepare_database(app)
    return app


def revoked_keys(prefix):
    return list(redis.Redis.from_url(TEST_REDIS_URL).scan_iter(match=f"{prefix}revoked-session:*"))


def test_logout_through_one_app_is_refused_by_another_sharing_redis(database_url, redis_prefix):  # noqa: F811
    first = api_for(redis_app(database_url, redis_prefix))
    second = api_for(make_app(database_url, **redis_config(redis_prefix)))
    alice = first.new_user("alice")
    assert second.get("/items", token=alice["access"]).status_code == 200
    first.post("/logout", token=alice["access"])
    response = second.get("/items", token=alice["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_revoked_session_entry_expires_when_its_last_token_would(database_url, redis_prefix):  # noqa: F811
    api = api_for(redis_app(database_url, redis_prefix))
    alice = api.new_user("alice")
    api.post("/logout", token=alice["access"])
    sid = decode_claims(alice["access"])["sid"]
    (key,) = revoked_keys(redis_prefix)
    assert key.decode().endswith(sid)
    ttl = redis.Redis.from_url(TEST_REDIS_URL).ttl(key)
    remaining = decode_claims(alice["refresh"])["exp"] - decode_claims(alice["access"])["iat"]
    assert remaining - 5 <= ttl <= remaining


def test_revocations_survive_redis_losing_its_data(database_url, redis_prefix):  # noqa: F811
    api = api_for(redis_app(database_url, redis_prefix))
    alice = api.new_user("alice")
    api.post("/logout", token=alice["access"])
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.delete(*client.scan_iter(match=f"{redis_prefix}*"))  # as a Redis restart would
    response = api.get("/items", token=alice["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_deleted_users_tokens_stay_refused_after_redis_loses_its_data(database_url, redis_prefix):  # noqa: F811
    api = api_for(redis_app(database_url, redis_prefix))
    alice = api.new_user("alice")
    assert api.delete(f"/user/{alice['id']}", token=alice["access"]).status_code == 200
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.delete(*client.scan_iter(match=f"{redis_prefix}*"))  # as a Redis restart would
    response = api.get("/items", token=alice["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def warm_up(api, token) -> None:
    """Both item lists built once, so the counts below see steady state (lists are cached)."""
    for _ in range(2):
        api.get("/items")
        api.get("/items", token=token)


def count_queries(send) -> int:
    """The SQL statements of one request, as the diagnostics header counts them."""
    response = send()
    assert response.status_code == 200
    return int(response.headers[HEADER])


def test_token_check_costs_no_database_query_with_redis(database_url, redis_prefix):  # noqa: F811
    app = redis_app(database_url, redis_prefix, SQL_QUERY_HEADER=True)
    api = api_for(app)
    alice = api.new_user("alice")
    warm_up(api, alice["access"])  # the first check also copies revocations to Redis
    anonymous = count_queries(lambda: api.get("/items"))
    assert count_queries(lambda: api.get("/items", token=alice["access"])) == anonymous


def test_token_check_costs_one_database_query_without_redis(database_url):
    app = make_app(database_url, SQL_QUERY_HEADER=True)
    prepare_database(app)
    api = api_for(app)
    alice = api.new_user("alice")
    warm_up(api, alice["access"])
    anonymous = count_queries(lambda: api.get("/items"))
    assert count_queries(lambda: api.get("/items", token=alice["access"])) == anonymous + 1


def test_protected_route_is_503_when_redis_is_down(database_url, redis_prefix):  # noqa: F811
    alice = api_for(redis_app(database_url, redis_prefix)).new_user("alice")
    down = api_for(make_app(database_url, REDIS_URL=UNREACHABLE_REDIS_URL, REDIS_TIMEOUT=0.2))
    response = down.get("/items", token=alice["access"])
    assert response.status_code == 503
    assert response.get_json()["error"] == "session_store_unavailable"
    assert response.headers["Retry-After"]


def test_login_is_503_when_redis_is_down(database_url):
    app = make_app(database_url, REDIS_URL=UNREACHABLE_REDIS_URL, REDIS_TIMEOUT=0.2)
    prepare_database(app)
    response = api_for(app).post("/login", json={"username": "alice", "password": "whatever1"})
    assert response.status_code == 503
    assert response.get_json()["code"] == 503


def test_routes_without_a_token_keep_working_when_redis_is_down(database_url):
    app = make_app(database_url, REDIS_URL=UNREACHABLE_REDIS_URL, REDIS_TIMEOUT=0.2)
    prepare_database(app)
    assert api_for(app).get("/stores").status_code == 200

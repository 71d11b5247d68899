"""Shared by the session, rate-limit and Redis tests: apps with or without Redis."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from tests.conftest import make_app, prepare_database
from tests.helpers import Api

# A Redis database of the session tests' own; each test uses a fresh key prefix and deletes
# its keys afterwards, so tests never see each other's counters or revocations.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_prefix():
    prefix = f"stores_api_test_sessions:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def redis_config(prefix: str) -> dict:
    return {"REDIS_URL": TEST_REDIS_URL, "REDIS_KEY_PREFIX": prefix}


@pytest.fixture(params=["database", "redis"])
def revocation_store(request) -> str:
    return request.param


@pytest.fixture
def app_factory(database_url, revocation_store, request):
    """Builds apps on this test's database, all sharing Redis when the store is Redis."""
    shared = {}
    if revocation_store == "redis":
        shared = redis_config(request.getfixturevalue("redis_prefix"))
    prepared = []

    def factory(**config):
        app = make_app(database_url, **shared, **config)
        if not prepared:
            prepare_database(app)
            prepared.append(app)
        return app

    return factory


def api_for(app) -> Api:
    return Api(app.test_client())

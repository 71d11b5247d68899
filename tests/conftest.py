"""Fixtures: an app per test on a fresh database, SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from stores_api import create_app, read_connection
from stores_api.extensions import db
from tests.helpers import Api

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# One database per test run, so concurrent runs on one machine never empty each other's tables.
PG_TEST_DB = os.environ.get("TEST_PG_DATABASE", f"stores_api_test_{os.getpid()}")


def pg_url(database: str = PG_TEST_DB) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def recreate_pg_database(name: str) -> None:
    drop_pg_database(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_schema_ready() -> Iterator[str]:
    """A PostgreSQL database for the session with the models' tables; emptied per test."""
    recreate_pg_database(PG_TEST_DB)
    app = create_app({"SQLALCHEMY_DATABASE_URI": pg_url(), "JWT_SECRET_KEY": TEST_SECRET})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield pg_url()
    for name in (PG_TEST_DB, f"{PG_TEST_DB}_migrations", f"{PG_TEST_DB}_unmigrated"):
        drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stores.db'}"
    url = request.getfixturevalue("pg_schema_ready")
    return url


_apps: list = []


TEST_RATE_LIMITS = {
    "RATELIMIT_LOGIN_PER_USERNAME": "1000 per minute",
    "RATELIMIT_LOGIN_PER_IP": "1000 per minute",
    "RATELIMIT_LOGIN_ATTEMPTS_PER_IP": "1000 per minute",
    "RATELIMIT_REGISTER_PER_IP": "1000 per minute",
    "RATELIMIT_REFRESH_PER_SESSION": "1000 per minute",
}


def make_app(database_url: str, **config):
    """An app on database_url; its connections are closed when the test ends."""
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "JWT_SECRET_KEY": TEST_SECRET,
        # Tests log in and register far more often than people do; the rate-limit tests set
        # their own, low limits.
        **TEST_RATE_LIMITS,
        # The concurrency tests race requests that hash; tests/test_login_busy.py sets a
        # small pool of its own.
        "ARGON2_MAX_CONCURRENT": 16,
        "ARGON2_MAX_WAITING": 16,
        **config,
    }
    app = create_app(settings)
    _apps.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _apps:
        app = _apps.pop()
        read_connection.dispose(app)
        with app.app_context():
            db.engine.dispose()


def prepare_database(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                tables = ", ".join(table.name for table in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            db.create_all()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    prepare_database(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def user(api) -> dict:
    """A registered, logged-in user: {"id", "username", "password", "access", "refresh"}."""
    return api.new_user("alice")


@pytest.fixture
def other_user(api) -> dict:
    return api.new_user("bob")


@pytest.fixture
def admin(api, app) -> dict:
    """A user promoted with `stores-api create-admin`, then logged in."""
    account = api.register("root-admin")
    result = app.test_cli_runner().invoke(args=["create-admin", "root-admin"])
    assert result.exit_code == 0, result.output
    return api.login_user(account)


@pytest.fixture
def store(api, user) -> dict:
    response = api.post("/store/main-street", token=user["access"])
    assert response.status_code == 201
    return response.get_json()

"""The Heroku deploy as Heroku runs it: the Procfile's release line, then its web line."""

from __future__ import annotations

import secrets
import shlex
import signal
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.stack.conftest import (
    REPO,
    VENV_BIN,
    Client,
    Process,
    clean_env,
    free_port,
    ini_value,
    jwt_secret,
    run,
    wait_for,
    walk_through_api,
)

pytestmark = pytest.mark.stack

# The machine's shared PostgreSQL, which other tests use too: the test only adds a database.
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def procfile() -> dict[str, str]:
    """Process type -> command, as Heroku reads the Procfile."""
    processes = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


def command(line: str) -> list[str]:
    """A Procfile command with its program resolved on the PATH Heroku would have (the venv)."""
    args = shlex.split(line)
    program = VENV_BIN / args[0]
    assert program.exists(), f"{args[0]} is not installed in {VENV_BIN}"
    return [str(program), *args[1:]]


@pytest.fixture(scope="module")
def heroku_database() -> Iterator[str]:
    """A fresh database, named the way Heroku Postgres hands it out: a postgres:// URL."""
    name = f"stores_api_heroku_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def heroku_env(heroku_database: str) -> dict[str, str]:
    """What Heroku sets for a dyno (PORT, DATABASE_URL, config vars), plus BIND_ADDRESS:
    this machine allows loopback only, where Heroku needs every interface."""
    return clean_env(
        PORT=str(free_port()),
        DATABASE_URL=heroku_database,
        FLASK_JWT_SECRET_KEY=jwt_secret(),
        BIND_ADDRESS="127.0.0.1",
    )


@pytest.fixture(scope="module")
def released(heroku_env: dict[str, str]) -> dict[str, str]:
    """The release phase, run twice as two deploys would: migrations are idempotent."""
    for _ in range(2):
        run(command(procfile()["release"]), env=heroku_env, cwd=REPO)
    return heroku_env


@pytest.fixture(scope="module")
def web_dyno(released: dict[str, str], tmp_path_factory) -> Iterator[Process]:
    log = tmp_path_factory.mktemp("heroku") / "web.log"
    dyno = Process("web", command(procfile()["web"]), released, REPO, log).start()
    workers = int(ini_value(REPO / "uwsgi.ini", "processes"))
    try:
        # Every worker, not just the first: uwsgi 2.0 never stops a lazy-apps worker that is
        # still loading the app when SIGTERM comes (the dyno would wait for SIGKILL).
        wait_for(
            lambda: dyno.running() and dyno.log_text().count(" ready in ") >= workers,
            timeout=60,
            what=f"{workers} workers to load the app\n{dyno.tail()}",
        )
        assert Client(int(released["PORT"])).get("/stores").status == 200
        yield dyno
    finally:
        dyno.stop()


def test_procfile_declares_uwsgi_web_and_a_release_migration():
    assert procfile() == {"web": "uwsgi uwsgi.ini", "release": "stores-api db upgrade"}


def test_python_version_file_names_a_major_minor_release():
    version = (REPO / ".python-version").read_text().strip()
    assert version in {"3.11", "3.12", "3.13"}


def test_requirements_install_the_pinned_lock_and_the_package_with_uwsgi():
    lines = [
        line.strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-r requirements.lock", ".[server]"]
    assert Path(REPO / "requirements.lock").exists()


def test_web_dyno_serves_the_api_on_port_with_a_postgres_url(web_dyno, heroku_env):
    walk_through_api(Client(int(heroku_env["PORT"])))


def test_web_dyno_stops_cleanly_on_sigterm(web_dyno):
    web_dyno.send(signal.SIGTERM)
    assert web_dyno.wait(timeout=25) == 0, web_dyno.tail()

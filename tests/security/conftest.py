"""Fixtures for the adversarial suite: a cheap-hashing app, a seeded world, real servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET, make_app, prepare_database
from tests.helpers import Api
from tests.security import figures

# argon2's cheapest settings: the suite sends thousands of logins; the cost is not under test
# here (test_login_timing uses the real defaults).
CHEAP_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cheap_app(database_url):
    app = make_app(database_url, **CHEAP_HASHING)
    prepare_database(app)
    return app


@pytest.fixture
def cheap_api(cheap_app) -> Api:
    return Api(cheap_app.test_client())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


@contextmanager
def uwsgi_server(workdir: Path, processes: int = 1, threads: int = 2) -> Iterator[str]:
    """The app under uwsgi (as deployed) on a fresh SQLite database in workdir: its base URL."""
    env = {
        **os.environ,
        "FLASK_JWT_SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": f"sqlite:///{workdir / 'stores.db'}",
        "PYTHONPATH": str(ROOT),
        # Races of registrations and logins: every thread may wait for the hashing slot
        # (the pool's 503 login_busy is proved in tests/test_login_busy.py).
        "FLASK_ARGON2_MAX_WAITING": str(threads),
        "FLASK_ARGON2_MAX_WAIT_SECONDS": "20",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "stores-api"), "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
        cwd=workdir,
    )
    port = free_port()
    log = (workdir / "uwsgi.log").open("wb")
    process = subprocess.Popen(
        [
            str(bin_dir / "uwsgi"),
            "--http-socket",
            f"127.0.0.1:{port}",
            "--module",
            "stores_api.wsgi:app",
            "--master",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
            "--lazy-apps",
            "--need-app",
            "--die-on-term",
            "--disable-logging",
            "--harakiri",
            "20",
            "--buffer-size",
            "32768",
        ],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def real_server(tmp_path_factory) -> Iterator[str]:
    """One uwsgi worker with two threads, on SQLite."""
    with uwsgi_server(tmp_path_factory.mktemp("uwsgi")) as base:
        yield base


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures SECURITY.md quotes, and keep them in test-artifacts/."""
    if not figures.FIGURES:
        return
    figures.write()
    terminalreporter.section("security figures")
    for name, value in sorted(figures.FIGURES.items()):
        terminalreporter.write_line(f"{name}: {value:g}")
    terminalreporter.write_line(f"(written to {figures.FIGURES_PATH})")

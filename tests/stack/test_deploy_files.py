"""The server deploy's files agree with each other: paths, socket, stop behaviour."""

from __future__ import annotations

import configparser
import re

import pytest

from tests.stack.conftest import NGINX_SITE, REPO, SERVER_INI, ini_value

pytestmark = pytest.mark.stack

SYSTEMD = REPO / "deploy" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(SYSTEMD / name)
    return parser


def test_service_runs_the_repo_ini_from_the_documented_checkout():
    service = unit("stores-api.service")["Service"]
    uwsgi, flag, ini = service["ExecStart"].split()
    assert uwsgi == "/srv/stores-api/venv/bin/uwsgi" and flag == "--ini"
    assert ini == f"/srv/stores-api/app/{SERVER_INI.relative_to(REPO)}"


def test_nginx_reaches_the_socket_systemd_and_uwsgi_create():
    service = unit("stores-api.service")["Service"]
    socket = ini_value(SERVER_INI, "socket")
    assert socket == "$(RUNTIME_DIRECTORY)/stores-api.sock"
    expected = f"/run/{service['RuntimeDirectory']}/stores-api.sock"
    assert f"uwsgi_pass unix:{expected};" in NGINX_SITE.read_text()
    assert ini_value(SERVER_INI, "logto").startswith("$(LOGS_DIRECTORY)/")
    assert service["LogsDirectory"] == "stores-api"


def test_stop_signals_only_the_master_which_shuts_down_gracefully():
    service = unit("stores-api.service")["Service"]
    assert service["KillMode"] == "mixed"
    assert service["KillSignal"] == "SIGTERM"
    hook = ini_value(SERVER_INI, "hook-master-start")
    assert hook == "unix_signal:15 gracefully_kill_them_all"
    mercy = int(ini_value(SERVER_INI, "worker-reload-mercy"))
    assert mercy < int(service["TimeoutStopSec"])


def test_nginx_allows_only_tls_1_2_and_1_3_with_aead_ciphers():
    site = NGINX_SITE.read_text()
    assert re.findall(r"^\s*ssl_protocols (.+);$", site, re.MULTILINE) == ["TLSv1.2 TLSv1.3"]
    ciphers = re.search(r"^\s*ssl_ciphers (.+);$", site, re.MULTILINE)
    assert ciphers
    assert all(
        name.startswith("ECDHE-") and ("GCM" in name or "CHACHA20" in name)
        for name in ciphers.group(1).split(":")
    )


def test_nginx_waits_longer_than_harakiri():
    read_timeout = re.search(r"uwsgi_read_timeout (\d+)s;", NGINX_SITE.read_text())
    assert read_timeout and int(read_timeout.group(1)) > int(ini_value(SERVER_INI, "harakiri"))


def test_migrations_run_as_the_owner_and_the_service_as_the_app_role():
    service = unit("stores-api.service")["Service"]
    migrate = unit("stores-api-migrate.service")["Service"]
    assert "EnvironmentFile=/etc/stores-api/database.env" in _lines("stores-api.service")
    env_files = [
        line.split("=", 1)[1]
        for line in _lines("stores-api-migrate.service")
        if line.startswith("EnvironmentFile=")
    ]
    # The later file wins: the owner's DATABASE_URL overrides anything in env.
    assert env_files == ["/etc/stores-api/env", "/etc/stores-api/migrate.env"]
    assert migrate["ExecStart"] == "/srv/stores-api/venv/bin/stores-api db upgrade"
    assert service["User"] == migrate["User"] == "stores-api"


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (SYSTEMD / name).read_text().splitlines()]


def test_heroku_ini_stops_gracefully_within_herokus_30_seconds():
    heroku_ini = REPO / "uwsgi.ini"
    assert ini_value(heroku_ini, "hook-master-start") == "unix_signal:15 gracefully_kill_them_all"
    assert int(ini_value(heroku_ini, "worker-reload-mercy")) < 30
    # Heroku's router answers H12 after 30 s: the app's own limit must come first.
    assert int(ini_value(heroku_ini, "harakiri")) < 30

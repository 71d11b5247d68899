"""Two app servers (separate uwsgi processes, separate ports) behind one nginx upstream,
sharing PostgreSQL and Redis: revocations, rate limits and rotation hold across both.

The app servers run the shipped deploy/uwsgi/stores-api.ini and nginx the shipped
deploy/nginx/stores-api.conf, with the stack tests' loopback substitutions, except that
uwsgi_pass names an upstream of both servers' sockets instead of one socket. Each server also
gets a plain HTTP port of its own, so a test can speak to one server directly.
"""

from __future__ import annotations

import json
import signal
import ssl
import time
import uuid

import pytest
import redis

from tests.conftest import PG_TEST_DB, drop_pg_database, pg_url, recreate_pg_database
from tests.sessions_support import TEST_REDIS_URL
from tests.stack.conftest import (
    SERVER_INI,
    VENV_BIN,
    Client,
    Process,
    clean_env,
    free_port,
    nginx_main_conf,
    render_site,
    require_command,
    run,
    self_signed_certificate,
    site_substitutions,
    wait_for,
)

pytestmark = pytest.mark.stack

PASSWORD = "correct horse battery"
LOGIN_LIMIT = 5
UPSTREAM = "stores_api_servers"


class AppServer:
    """One uwsgi server: the shipped ini, 2 processes x 2 threads, plus a direct HTTP port."""

    def __init__(self, root, name: str, env: dict[str, str]):
        self.root = root / name
        self.run_dir, self.log_dir = self.root / "run", self.root / "log"
        self.run_dir.mkdir(parents=True)
        self.log_dir.mkdir()
        self.port = free_port()
        args = [
            str(VENV_BIN / "uwsgi"),
            "--ini", str(SERVER_INI),
            "--processes", "2",
            "--threads", "2",
            "--http-socket", f"127.0.0.1:{self.port}",
        ]  # fmt: skip
        env = {**env, "RUNTIME_DIRECTORY": str(self.run_dir), "LOGS_DIRECTORY": str(self.log_dir)}
        self.process = Process(f"uwsgi-{name}", args, env, self.root, self.root / "stdout.log")
        self.client = Client(self.port)

    @property
    def socket(self):
        return self.run_dir / "stores-api.sock"

    def requests_logged(self, path: str) -> int:
        """Requests for path in this server's log (the app's one JSON line per request)."""
        log = self.log_dir / "uwsgi.log"
        if not log.exists():
            return 0
        lines = log.read_text(errors="replace").splitlines()
        return sum(1 for line in lines if _json_line(line).get("path") == path)


def _json_line(line: str) -> dict:
    """A JSON log line as a dict; {} for uwsgi's own lines (and a line still being written)."""
    try:
        record = json.loads(line)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def start_nginx(root, servers: list[AppServer]) -> tuple[Process, Client]:
    nginx = require_command("nginx")
    cert, key = self_signed_certificate(root)
    log_dir = root / "nginx-log"
    log_dir.mkdir()
    substitutions = site_substitutions(free_port(), free_port(), cert, key, root / "x", log_dir)
    https_port = int(substitutions["listen 443 ssl;"].split(":")[1].split()[0])
    # The one change to the shipped site: an upstream of both app servers.
    substitutions["unix:/run/stores-api/stores-api.sock"] = UPSTREAM
    members = "".join(f"    server unix:{server.socket};\n" for server in servers)
    site = root / "stores-api.conf"
    site.write_text(f"upstream {UPSTREAM} {{\n{members}}}\n" + render_site(substitutions))
    conf = root / "nginx.conf"
    conf.write_text(nginx_main_conf(root, site))
    run([nginx, "-t", "-q", "-c", str(conf)])
    process = Process("nginx", [nginx, "-c", str(conf)], clean_env(), root, root / "nginx.log")
    process.start()
    return process, Client(https_port, ssl.create_default_context(cafile=str(cert)))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaleout")
    database = f"{PG_TEST_DB}_scaleout"
    recreate_pg_database(database)
    prefix = f"stores_api_test_scaleout:{uuid.uuid4().hex[:12]}:"
    env = clean_env(
        DATABASE_URL=pg_url(database),
        REDIS_URL=TEST_REDIS_URL,
        FLASK_REDIS_KEY_PREFIX=prefix,
        FLASK_JWT_SECRET_KEY=uuid.uuid4().hex * 2,
        FLASK_TRUSTED_PROXIES="1",
        FLASK_REFRESH_GRACE_SECONDS="0",
        FLASK_RATELIMIT_LOGIN_PER_USERNAME=f"{LOGIN_LIMIT} per minute",
        FLASK_RATELIMIT_LOGIN_PER_IP="1000 per minute",
        FLASK_RATELIMIT_LOGIN_ATTEMPTS_PER_IP="1000 per minute",
        FLASK_LOG_LEVEL="INFO",  # the access lines tell which server answered
    )
    run([str(VENV_BIN / "stores-api"), "db", "upgrade"], env=env)
    servers = [AppServer(root, name, env) for name in ("a", "b")]
    nginx = None
    try:
        for server in servers:
            server.process.start()
        nginx, front = start_nginx(root, servers)
        for server in servers:
            wait_for(
                lambda server=server: server.client.get("/healthz").status == 200,
                timeout=60,
                what=f"{server.process.name} to answer\n{server.process.tail()}",
            )
        wait_for(
            lambda: front.get("/healthz").status == 200,
            timeout=15,
            what=f"nginx to answer\n{nginx.tail()}",
        )
        yield {"a": servers[0], "b": servers[1], "nginx": front}
    finally:
        if nginx is not None:
            nginx.stop(signal.SIGQUIT)
        for server in servers:
            server.process.stop()
        client = redis.Redis.from_url(TEST_REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        drop_pg_database(database)


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login", {"username": username, "password": password})


def new_user(cluster, username: str) -> dict:
    front = cluster["nginx"]
    created = front.post("/register", {"username": username, "password": PASSWORD})
    assert created.status == 201, created
    response = login(front, username)
    assert response.status == 200, response
    return response.json()


def test_both_app_servers_answer_behind_the_upstream(cluster):
    before = [cluster[name].requests_logged("/stores") for name in ("a", "b")]
    for _ in range(6):
        assert cluster["nginx"].get("/stores").status == 200

    def both_served():
        after = [cluster[name].requests_logged("/stores") for name in ("a", "b")]
        return all(a > b for a, b in zip(after, before, strict=True))

    wait_for(both_served, 10, "requests logged by both app servers")


def test_logout_through_one_server_is_refused_by_the_other_within_the_same_second(cluster):
    access = new_user(cluster, "alice")["access_token"]
    a, b = cluster["a"].client, cluster["b"].client
    assert b.get("/items", token=access).status == 200
    assert a.post("/logout", token=access).status == 200
    logged_out = time.monotonic()
    response = b.get("/items", token=access)
    elapsed = time.monotonic() - logged_out
    assert (response.status, response.json()["error"]) == (401, "token_revoked")
    assert elapsed < 1, elapsed


def test_logout_through_the_upstream_is_refused_by_every_server(cluster):
    access = new_user(cluster, "dave")["access_token"]
    assert cluster["nginx"].post("/logout", token=access).status == 200
    for client in (cluster["a"].client, cluster["b"].client, cluster["nginx"]):
        response = client.get("/items", token=access)
        assert (response.status, response.json()["error"]) == (401, "token_revoked")


def test_login_limit_holds_across_both_servers(cluster):
    new_user(cluster, "bob")
    for attempt in range(LOGIN_LIMIT):
        server = cluster["a"] if attempt % 2 == 0 else cluster["b"]
        assert login(server.client, "bob", "wrong password").status == 401
    for client in (cluster["a"].client, cluster["b"].client, cluster["nginx"]):
        response = login(client, "bob", "wrong password")
        assert response.status == 429, response
        assert response.json()["error"] == "rate_limited"
        assert int(response.headers["Retry-After"]) >= 1


def test_rotation_reuse_on_one_server_revokes_the_family_on_the_other(cluster):
    tokens = new_user(cluster, "carol")
    a, b = cluster["a"].client, cluster["b"].client
    rotated = a.post("/refresh", token=tokens["refresh_token"])
    assert rotated.status == 200
    reuse = b.post("/refresh", token=tokens["refresh_token"])
    assert (reuse.status, reuse.json()["error"]) == (401, "token_revoked")
    again = a.post("/refresh", token=rotated.json()["refresh_token"])
    assert (again.status, again.json()["error"]) == (401, "token_revoked")
    assert a.get("/items", token=rotated.json()["access_token"]).status == 401

"""Two app servers (separate uwsgi processes, separate ports) behind one nginx upstream,
sharing PostgreSQL and Redis: revocations, rate limits and rotation hold across both."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.conftest import PG_TEST_DB, drop_pg_database, pg_url, recreate_pg_database
from tests.sessions_support import TEST_REDIS_URL

pytestmark = pytest.mark.stack

HERE = Path(__file__).parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"
LOGIN_LIMIT = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """HTTP to one port: an app server directly, or nginx in front of both."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, token: str | None = None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        response.json = json.loads(data) if data else None
        return response

    def login(self, username: str, password: str = PASSWORD):
        return self.request("POST", "/login", body={"username": username, "password": password})


def wait_until_up(server: Server, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"process exited: {log.read_text()[-2000:]}")
        try:
            if server.request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"port {server.port} never answered: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run scripts/install-system-deps.sh (make test does)")
    run_dir = tmp_path_factory.mktemp("scaleout")
    database = f"{PG_TEST_DB}_scaleout"
    recreate_pg_database(database)
    prefix = f"stores_api_test_scaleout:{uuid.uuid4().hex[:12]}:"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "UWSGI_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
            "DATABASE_URL": pg_url(database),
            "REDIS_URL": TEST_REDIS_URL,
            "FLASK_REDIS_KEY_PREFIX": prefix,
            "FLASK_JWT_SECRET_KEY": uuid.uuid4().hex * 2,
            "FLASK_TRUSTED_PROXIES": "1",
            "FLASK_REFRESH_GRACE_SECONDS": "0",
            "FLASK_RATELIMIT_LOGIN_PER_USERNAME": f"{LOGIN_LIMIT} per minute",
            "FLASK_RATELIMIT_LOGIN_PER_IP": "1000 per minute",
            "FLASK_LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run(
        [VENV_BIN / "stores-api", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    processes: list[tuple[subprocess.Popen, Path]] = []
    servers = []
    try:
        for name in ("a", "b"):
            port, log = free_port(), run_dir / f"uwsgi-{name}.log"
            process = subprocess.Popen(
                [
                    VENV_BIN / "uwsgi",
                    "--master",
                    "--need-app",
                    "--lazy-apps",
                    "--die-on-term",
                    "--http-socket",
                    f"127.0.0.1:{port}",
                    "--module",
                    "stores_api.wsgi:app",
                    "--processes",
                    "2",
                    "--threads",
                    "2",
                    "--logto",
                    str(log),
                ],  # fmt: skip
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            processes.append((process, log))
            servers.append(Server(port))
        nginx_port = free_port()
        config = (HERE / "nginx.conf.template").read_text()
        for key, value in {
            "run_dir": run_dir,
            "app_port_a": servers[0].port,
            "app_port_b": servers[1].port,
            "nginx_port": nginx_port,
        }.items():
            config = config.replace("{" + key + "}", str(value))
        if os.geteuid() == 0:
            config = "user root;\n" + config
        (run_dir / "nginx.conf").write_text(config)
        nginx_log = run_dir / "nginx-error.log"
        nginx_log.touch()
        with open(run_dir / "nginx-stderr.log", "w") as stderr:
            process = subprocess.Popen(
                [nginx, "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        processes.append((process, nginx_log))
        front = Server(nginx_port)
        for server, (proc, log) in zip([*servers, front], processes, strict=True):
            wait_until_up(server, proc, log)
        yield {"a": servers[0], "b": servers[1], "nginx": front}
    finally:
        for process, _ in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM if process.args[0] != nginx else signal.SIGQUIT)
        for process, _ in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        client = redis.Redis.from_url(TEST_REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        drop_pg_database(database)


def new_user(cluster, username: str) -> dict:
    front = cluster["nginx"]
    created = front.request("POST", "/register", body={"username": username, "password": PASSWORD})
    assert created.status == 201, created.json
    response = front.login(username)
    assert response.status == 200, response.json
    return response.json


def test_both_app_servers_answer_behind_the_upstream(cluster):
    upstreams = {
        cluster["nginx"].request("GET", "/healthz").getheader("X-Upstream") for _ in range(4)
    }
    assert upstreams == {f"127.0.0.1:{cluster['a'].port}", f"127.0.0.1:{cluster['b'].port}"}


def test_logout_through_one_server_is_refused_by_the_other_within_the_same_second(cluster):
    tokens = new_user(cluster, "alice")
    access = tokens["access_token"]
    assert cluster["b"].request("GET", "/items", token=access).status == 200
    assert cluster["a"].request("POST", "/logout", token=access).status == 200
    logged_out = time.monotonic()
    response = cluster["b"].request("GET", "/items", token=access)
    assert time.monotonic() - logged_out < 1
    assert (response.status, response.json["error"]) == (401, "token_revoked")


def test_logout_is_refused_through_the_upstream_by_every_server(cluster):
    access = new_user(cluster, "alice2")["access_token"]
    cluster["nginx"].request("POST", "/logout", token=access)
    answers = [cluster["nginx"].request("GET", "/items", token=access) for _ in range(4)]
    assert {a.status for a in answers} == {401}
    assert len({a.getheader("X-Upstream") for a in answers}) == 2


def test_login_limit_holds_across_both_servers(cluster):
    new_user(cluster, "bob")
    for attempt in range(LOGIN_LIMIT):
        server = cluster["a"] if attempt % 2 == 0 else cluster["b"]
        assert server.login("bob", "wrong password").status == 401
    for server in (cluster["a"], cluster["b"], cluster["nginx"]):
        response = server.login("bob", "wrong password")
        assert response.status == 429
        assert response.json["error"] == "rate_limited"
        assert int(response.getheader("Retry-After")) >= 1


def test_rotation_reuse_on_one_server_revokes_the_family_on_the_other(cluster):
    tokens = new_user(cluster, "carol")
    rotated = cluster["a"].request("POST", "/refresh", token=tokens["refresh_token"])
    assert rotated.status == 200
    reuse = cluster["b"].request("POST", "/refresh", token=tokens["refresh_token"])
    assert (reuse.status, reuse.json["error"]) == (401, "token_revoked")
    again = cluster["a"].request("POST", "/refresh", token=rotated.json["refresh_token"])
    assert (again.status, again.json["error"]) == (401, "token_revoked")
    access = cluster["a"].request("GET", "/items", token=rotated.json["access_token"])
    assert access.status == 401

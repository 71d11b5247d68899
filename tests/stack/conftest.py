"""Real processes for the deployment tests: PostgreSQL, uwsgi, nginx, and an HTTP(S) client.

Everything a test starts is stopped by a fixture finalizer, also when the test fails; each
process writes its output to a log file whose tail goes into the failure message.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
# The virtualenv running pytest holds the `uwsgi` and `stores-api` commands.
VENV_BIN = Path(sys.executable).parent
SERVER_INI = REPO / "deploy" / "uwsgi" / "stores-api.ini"
NGINX_SITE = REPO / "deploy" / "nginx" / "stores-api.conf"
CREATE_DATABASE = REPO / "deploy" / "postgres" / "create-database.sh"
PASSWORD = "correct horse battery"
IS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll check() until it returns something truthy; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, http.client.HTTPException):
            result = check()
            if result:
                return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without settings of ours that would leak into a child process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "UWSGI_", "PG"))
        and key not in {"DATABASE_URL", "REDIS_URL", "PORT", "HOST", "WEB_CONCURRENCY"}
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env.update(extra)
    return env


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile reads the simple ones."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def jwt_secret() -> str:
    return secrets.token_hex(32)


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.name, self.args, self.env, self.cwd, self.log_path = name, args, env, cwd, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.args,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def send(self, signum: int) -> None:
        assert self.popen is not None
        self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        """Signal the process, wait for it, and kill its whole group if it does not go."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(signum)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        return self.popen.wait(10)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def run(args: list[str], env: dict[str, str] | None = None, **kwargs: Any):
    """Run a command to completion; fail with its output when it fails."""
    result = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=120, check=False, **kwargs
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def require_command(path: str | Path) -> str:
    found = shutil.which(str(path))
    if found is None:
        pytest.fail(f"{path} is not installed; run `make system-deps`")
    return found


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:300]!r}>"


class Client:
    """One new connection per request, over TLS when given a context: what a browser would see."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.host, self.port, self.tls = host, port, tls

    def connect(self, timeout: float = 30) -> http.client.HTTPConnection:
        if self.tls is not None:
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=self.tls
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        conn.connect()
        return conn

    @staticmethod
    def send(
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        data = body
        if body is not None and not isinstance(body, bytes):
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=all_headers)
            answer = conn.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            conn.close()

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.send(self.connect(), method, path, body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, body, **kwargs)


def register_and_login(client: Client, username: str) -> str:
    """A new account's fresh access token."""
    credentials = {"username": username, "password": PASSWORD}
    response = client.post("/register", credentials)
    assert response.status == 201, response
    response = client.post("/login", credentials)
    assert response.status == 200, response
    return response.json()["access_token"]


def walk_through_api(client: Client) -> None:
    """The course's walk-through: register, log in, a store, an item, the lists, log out."""
    suffix = secrets.token_hex(4)
    token = register_and_login(client, f"walker-{suffix}")

    response = client.post(f"/store/shop-{suffix}", token=token)
    assert response.status == 201, response
    store_id = response.json()["id"]

    item = {"price": 15.99, "store_id": store_id}
    response = client.post(f"/item/chair-{suffix}", item, token=token)
    assert response.status == 201, response
    assert response.json() == {**item, "id": response.json()["id"], "name": f"chair-{suffix}"}

    response = client.get("/items", token=token)
    assert response.status == 200, response
    assert f"chair-{suffix}" in [each["name"] for each in response.json()["items"]]

    response = client.get("/stores")
    assert response.status == 200, response
    stores = {store["name"]: store for store in response.json()["stores"]}
    assert [each["name"] for each in stores[f"shop-{suffix}"]["items"]] == [f"chair-{suffix}"]

    response = client.post("/logout", token=token)
    assert response.status == 200, response

    response = client.post(f"/store/after-logout-{suffix}", token=token)
    assert response.status == 401, response
    assert response.json()["code"] == 401


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin)."""
    if os.environ.get("TEST_PG_BIN"):
        return Path(os.environ["TEST_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail("no PostgreSQL server binaries under /usr/lib/postgresql; install postgresql")
    return found[-1].parent


def as_postgres(args: list[str]) -> list[str]:
    """Run as the `postgres` OS user when we are root (initdb refuses root), else as ourselves."""
    return ["runuser", "-u", "postgres", "--", *args] if IS_ROOT else args


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own on a free loopback port; the machine's is untouched.

    Local (socket) connections authenticate by peer, TCP ones by password (scram), as on Ubuntu.
    """

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.bin = postgres_bin()

    def init(self) -> None:
        run(
            as_postgres(
                [
                    str(self.bin / "initdb"),
                    "--pgdata",
                    str(self.data),
                    "--username",
                    "postgres",
                    "--auth-local",
                    "peer" if IS_ROOT else "trust",
                    "--auth-host",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--no-sync",
                ]
            )
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c fsync=off -c full_page_writes=off"
        )
        run(
            as_postgres(
                [str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "--log", str(self.log)]
                + ["--wait", "--options", options, "start"]
            )
        )

    def stop(self, mode: str = "fast") -> None:
        run(
            as_postgres(
                [str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "--mode", mode]
                + ["--wait", "stop"]
            )
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def libpq_env(self) -> dict[str, str]:
        """How the superuser reaches this cluster: its socket directory and port."""
        return {"PGHOST": str(self.root), "PGPORT": str(self.port), "PGUSER": "postgres"}


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    # Outside pytest's tmp_path: that lives under a root-only directory the postgres user
    # cannot enter.
    root = Path(tempfile.mkdtemp(prefix="stores-api-pg-"))
    if IS_ROOT:
        shutil.chown(root, "postgres", "postgres")
    cluster = PrivatePostgres(root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(BaseException):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# --- uwsgi and nginx ---------------------------------------------------------------------------


def uwsgi_stats(path: Path) -> dict:
    """uwsgi's stats server answers one JSON document per connection."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return json.loads(b"".join(chunks))


def ini_value(path: Path, key: str) -> str:
    match = re.search(rf"^{re.escape(key)}\s*=\s*(.+?)\s*$", path.read_text(), re.MULTILINE)
    assert match, f"{path} sets no {key}"
    return match.group(1)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (in subjectAltName, so clients verify it properly)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    run(
        [
            require_command("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ]
    )
    return cert, key


def site_substitutions(
    http_port: int, https_port: int, cert: Path, key: Path, socket_path: Path, log_dir: Path
) -> dict[str, str]:
    """The only text of deploy/nginx/stores-api.conf the test changes: machine-specific values.

    Ports 80/443 on every address become free loopback ports (so the redirect names the port),
    certbot's certificate becomes the self-signed one, and the socket and logs move to the
    test's directory. Everything else (TLS, headers, limits, error pages) is tested as shipped.
    """
    return {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen [::]:443 ssl;": "",
        "return 301 https://$host$request_uri;": (
            f"return 301 https://$host:{https_port}$request_uri;"
        ),
        "/etc/letsencrypt/live/api.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/api.example.com/privkey.pem": str(key),
        "unix:/run/stores-api/stores-api.sock": f"unix:{socket_path}",
        "/var/log/nginx/": f"{log_dir}/",
    }


def render_site(substitutions: dict[str, str]) -> str:
    text = NGINX_SITE.read_text()
    for old, new in substitutions.items():
        assert old in text, f"{NGINX_SITE} no longer contains {old!r}: update site_substitutions"
        text = text.replace(old, new)
    return text


def nginx_main_conf(directory: Path, site: Path) -> str:
    """The part of /etc/nginx/nginx.conf a site relies on, pointed at the test's directory."""
    temp = directory / "nginx-temp"
    temp.mkdir(exist_ok=True)
    # As root, nginx's workers would drop to `nobody`; the test's socket is root's.
    user = "user root;\n" if IS_ROOT else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/nginx-error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        # What Debian's and Ubuntu's stock nginx.conf set for every site, which the site
        # overrides: the test runs under the http-level settings production has.
        "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
        "    ssl_prefer_server_ciphers on;\n"
        f"    include {site};\n"
        "}\n"
    )

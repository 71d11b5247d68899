"""The server deploy, for real on loopback: PostgreSQL, uwsgi and nginx from the repo's files.

A private PostgreSQL cluster (the machine's shared one on 5432 is never touched) gets its roles
and database from deploy/postgres/create-database.sh; the owner role runs the migrations; the
app runs under uwsgi from deploy/uwsgi/stores-api.ini as the DML-only role; nginx serves
deploy/nginx/stores-api.conf with a self-signed certificate. The tests speak HTTPS to nginx.
"""

from __future__ import annotations

import json
import signal
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.stack.conftest import (
    CREATE_DATABASE,
    PASSWORD,
    SERVER_INI,
    VENV_BIN,
    Client,
    PrivatePostgres,
    Process,
    Response,
    clean_env,
    free_port,
    ini_value,
    jwt_secret,
    nginx_main_conf,
    read_env_file,
    register_and_login,
    render_site,
    require_command,
    run,
    self_signed_certificate,
    site_substitutions,
    uwsgi_stats,
    wait_for,
    walk_through_api,
)

pytestmark = pytest.mark.stack

PROCESSES = int(ini_value(SERVER_INI, "processes"))
THREADS = int(ini_value(SERVER_INI, "threads"))
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class Stack:
    """The running processes, and what a test needs to reach or disturb them."""

    def __init__(self, root: Path, postgres: PrivatePostgres):
        self.root, self.postgres = root, postgres
        self.run_dir = root / "run"  # systemd's RuntimeDirectory, /run/stores-api
        self.log_dir = root / "log"  # systemd's LogsDirectory, /var/log/stores-api
        self.run_dir.mkdir()
        self.log_dir.mkdir()
        self.http_port, self.https_port = free_port(), free_port()
        self.uwsgi: Process | None = None
        self.nginx: Process | None = None
        self.env_dir = root / "etc"
        self.tls = ssl.create_default_context()
        self.secret = jwt_secret()

    @property
    def socket(self) -> Path:
        return self.run_dir / "stores-api.sock"

    def create_database(self) -> None:
        """deploy/postgres/create-database.sh, then the migrations as the owner role."""
        env = clean_env(**self.postgres.libpq_env())
        run(["bash", str(CREATE_DATABASE), str(self.env_dir)], env=env)
        owner_url = read_env_file(self.env_dir / "migrate.env")["DATABASE_URL"]
        upgrade = [str(VENV_BIN / "stores-api"), "db", "upgrade"]
        run(upgrade, env=clean_env(DATABASE_URL=owner_url, FLASK_JWT_SECRET_KEY=jwt_secret()))

    @property
    def app_database_url(self) -> str:
        return read_env_file(self.env_dir / "database.env")["DATABASE_URL"]

    def start_uwsgi(self) -> None:
        env = clean_env(
            DATABASE_URL=self.app_database_url,
            FLASK_JWT_SECRET_KEY=self.secret,
            # The SIGTERM test keeps every thread busy with a login: all of them may wait
            # for the hashing slot, however slowly a loaded machine hashes.
            FLASK_ARGON2_MAX_WAITING=str(THREADS),
            FLASK_ARGON2_MAX_WAIT_SECONDS="20",
            RUNTIME_DIRECTORY=str(self.run_dir),
            LOGS_DIRECTORY=str(self.log_dir),
        )
        args = [str(VENV_BIN / "uwsgi"), "--ini", str(SERVER_INI)]
        self.uwsgi = Process("uwsgi", args, env, self.root, self.root / "uwsgi-stdout.log")
        self.uwsgi.start()

        def all_workers_loaded() -> bool:
            assert self.uwsgi is not None and self.uwsgi.running(), self.uwsgi_log()
            workers = self.stats()["workers"]
            return len(workers) == PROCESSES and all(worker["apps"] for worker in workers)

        # Every worker, not just one: uwsgi 2.0 never stops a lazy-apps worker that is still
        # loading the app when SIGTERM comes.
        wait_for(all_workers_loaded, timeout=60, what="uwsgi's workers to load the app")

    def ensure_uwsgi(self) -> Process:
        if self.uwsgi is None or not self.uwsgi.running():
            self.start_uwsgi()
        assert self.uwsgi is not None
        return self.uwsgi

    def stop_uwsgi(self) -> None:
        if self.uwsgi is not None:
            self.uwsgi.stop()

    def stats(self) -> dict:
        return uwsgi_stats(self.run_dir / "stats.sock")

    def uwsgi_log(self) -> str:
        assert self.uwsgi is not None
        log = self.log_dir / "uwsgi.log"
        text = log.read_text(errors="replace") if log.exists() else self.uwsgi.tail()
        return "\n".join(text.splitlines()[-40:])

    def start_nginx(self) -> None:
        nginx = require_command("nginx")
        cert, key = self_signed_certificate(self.root)
        self.tls = ssl.create_default_context(cafile=str(cert))
        site = self.root / "stores-api.conf"
        site.write_text(
            render_site(
                site_substitutions(
                    self.http_port, self.https_port, cert, key, self.socket, self.log_dir
                )
            )
        )
        conf = self.root / "nginx.conf"
        conf.write_text(nginx_main_conf(self.root, site))
        run([nginx, "-t", "-q", "-c", str(conf)])
        self.nginx = Process(
            "nginx", [nginx, "-c", str(conf)], clean_env(), self.root, self.root / "nginx.log"
        )
        self.nginx.start()
        wait_for(
            lambda: self.http().get("/").status == 301,
            timeout=15,
            what=f"nginx to listen\n{self.nginx.tail()}",
        )

    def https(self, tls: ssl.SSLContext | None = None) -> Client:
        return Client(self.https_port, tls or self.tls)

    def http(self) -> Client:
        return Client(self.http_port)


@pytest.fixture(scope="module")
def running_stack(private_postgres, tmp_path_factory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("stack"), private_postgres)
    try:
        stack.create_database()
        stack.start_uwsgi()
        stack.start_nginx()
        yield stack
    finally:
        if stack.nginx is not None:
            stack.nginx.stop(signal.SIGQUIT)
        stack.stop_uwsgi()


@pytest.fixture
def stack(running_stack: Stack) -> Stack:
    """The stack with uwsgi and PostgreSQL up, whatever the previous test did to them."""
    if not running_stack.postgres.running():
        running_stack.postgres.start()
    running_stack.ensure_uwsgi()
    return running_stack


def assert_json_error(response: Response, code: int) -> dict:
    assert response.status == code, response
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["status"] and body["message"]
    return body


def test_http_redirects_to_the_same_url_on_https(stack):
    response = stack.http().get("/stores?page=2")
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{stack.https_port}/stores?page=2"


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_accepted(stack, version):
    pinned = ssl.create_default_context(cadata=_ca_pem(stack.tls))
    pinned.minimum_version = pinned.maximum_version = version
    assert stack.https(pinned).get("/stores").status == 200


def test_tls_1_1_is_refused(stack):
    """Behaviour only: a modern OpenSSL's default security level refuses TLS 1.1 even without
    the site's ssl_protocols (test_deploy_files checks that line itself)."""
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(cadata=_ca_pem(stack.tls))
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        # Python rightly deprecates offering TLS 1.1; this client exists to be refused.
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        stack.https(old).get("/stores")


def _ca_pem(tls: ssl.SSLContext) -> str:
    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in tls.get_ca_certs(binary_form=True))


def test_api_walk_through_over_https(stack):
    walk_through_api(stack.https())


@pytest.mark.parametrize("path", ["/stores", "/no-such-page"])
def test_security_headers_and_no_server_version(stack, path):
    response = stack.https().get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Server"] == "nginx"


def test_body_over_one_mib_is_refused_with_json_413(stack):
    body = b'{"username": "' + b"x" * (1024 * 1024 + 1) + b'", "password": "whatever"}'
    response = stack.https().post("/register", body, headers={"Content-Type": "application/json"})
    assert_json_error(response, 413)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_ten_thousand_character_name_in_a_url_reaches_the_app(stack):
    response = stack.https().get("/store/" + "n" * 10_000)
    assert_json_error(response, 404)


def test_a_url_over_32_kib_is_refused_with_json_414(stack):
    response = stack.https().get("/store/" + "n" * 40_000)
    assert_json_error(response, 414)


def test_app_role_cannot_change_the_schema(stack):
    with psycopg.connect(stack.app_database_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE intruder (id integer)")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE users")


def test_database_outage_answers_503_then_recovers_without_restart(stack):
    client = stack.https()
    master = stack.uwsgi.pid
    assert client.get("/stores").status == 200

    stack.postgres.stop()
    try:
        response = client.get("/stores")
        assert_json_error(response, 503)
        assert int(response.headers["Retry-After"]) > 0
        assert response.headers["Strict-Transport-Security"]
    finally:
        stack.postgres.start()

    wait_for(lambda: client.get("/stores").status == 200, 20, "the API to recover")
    assert stack.uwsgi.running() and stack.uwsgi.pid == master


def test_sigterm_lets_every_request_in_flight_finish(stack):
    """As many logins as uwsgi has threads (argon2 makes each take a while), all accepted by
    uwsgi, then SIGTERM to the master: every one still gets its 200."""
    capacity = PROCESSES * THREADS
    client = stack.https()
    username = f"sigterm-{stack.https_port}-{threading.get_ident()}"
    register_and_login(client, username)
    credentials = {"username": username, "password": PASSWORD}
    # TLS handshakes first, so the requests leave together when the barrier opens.
    connections = [client.connect() for _ in range(capacity)]
    served_before = sum(worker["requests"] for worker in stack.stats()["workers"])
    results: list[Response | BaseException | None] = [None] * capacity
    start = threading.Barrier(capacity + 1)

    def login(index: int) -> None:
        start.wait()
        try:
            results[index] = Client.send(connections[index], "POST", "/login", credentials)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc

    threads = [threading.Thread(target=login, args=(i,)) for i in range(capacity)]
    for thread in threads:
        thread.start()
    start.wait()

    def all_accepted_some_running() -> int:
        workers = stack.stats()["workers"]
        served = sum(worker["requests"] for worker in workers) - served_before
        running = sum(core["in_request"] for worker in workers for core in worker["cores"])
        return running if served + running == capacity and running else 0

    in_flight = wait_for(all_accepted_some_running, 20, "uwsgi to accept every login", 0.002)
    stack.uwsgi.send(signal.SIGTERM)
    for thread in threads:
        thread.join(60)

    statuses = [r.status if isinstance(r, Response) else repr(r) for r in results]
    assert statuses == [200] * capacity, f"{in_flight} in flight at SIGTERM\n{stack.uwsgi_log()}"
    assert stack.uwsgi.wait(timeout=30) == 0, stack.uwsgi_log()


def test_uwsgi_down_answers_json_502(running_stack):
    running_stack.stop_uwsgi()
    response = running_stack.https().get("/stores")
    assert_json_error(response, 502)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_each_request_is_one_json_line_in_the_uwsgi_log(stack):
    response = stack.https().get("/stores")
    assert response.status == 200
    request_id = response.headers["X-Request-ID"]
    log = stack.log_dir / "uwsgi.log"

    def lines_with_id() -> list[str]:
        text = log.read_text(errors="replace") if log.exists() else ""
        return [line for line in text.splitlines() if request_id in line]

    wait_for(lambda: lines_with_id(), 10, "the request's log line")
    (line,) = lines_with_id()
    record = json.loads(line)
    assert (record["method"], record["path"], record["status"]) == ("GET", "/stores", 200)

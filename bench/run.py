"""The benchmark: our app vs the ceiling app, same uwsgi config, SQLite and PostgreSQL, 3 sizes.

    make bench                      (installs the `bench` extra, then runs this)
    .venv/bin/python bench/run.py --sizes 100x50 --dbs sqlite --rounds 1 --duration 2   (quick)

For each database and size it seeds S stores x I items in bulk, starts our app with the repo's
uwsgi.ini (WEB_CONCURRENCY=2 processes, loopback only), records each benchmark URL's body,
starts bench/ceiling.py under the same uwsgi.ini answering those URLs with the same bytes, then
drives both with wrk in alternating rounds. It prints req/s, p50/p99, ours/ceiling, SQL
statements per request (X-SQL-Queries, on for the benchmark only) and peak RSS per worker, and
writes bench/results/latest.json, latest.md and latency.png.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
USER = {"username": "bench-user", "password": "bench-password-123"}
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_PG_DATABASE", "stores_api_bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Server:
    """uwsgi with the repo's uwsgi.ini on 127.0.0.1:<free port>; tracks its workers' peak RSS."""

    def __init__(self, ini: Path, env: dict, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            **env,
            "PORT": str(self.port),
            "BIND_ADDRESS": "127.0.0.1",
            "WEB_CONCURRENCY": "2",
        }
        self.log = log.open("ab")
        self._log_start = self.log.tell()
        # uWSGI --http-socket closes the connection without saying so: tell wrk (loadbench's note).
        command = [str(BIN / "uwsgi"), "--ini", str(ini), "--add-header", "Connection: close"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._wait_ready()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _wait_ready(self) -> None:
        """Until every worker has loaded the app. The socket accepts before that (lazy-apps:
        each worker loads the app itself, seconds on a busy machine), and a measurement would
        time the loading."""
        deadline = time.monotonic() + 120
        while self._workers_ready() < 2:
            if self.process.poll() is not None:
                raise RuntimeError(f"uwsgi exited; see {self.log.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not load the app; see {self.log.name}")
            time.sleep(0.1)

    def _workers_ready(self) -> int:
        """ "ready" lines uwsgi logged since this server started (the log file is shared)."""
        with open(self.log.name, "rb") as log:
            log.seek(self._log_start)
            return log.read().count(b"WSGI app 0 (mountpoint='') ready")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def rss(self) -> dict[int, int]:
        """Current RSS (KiB) per worker."""
        return {pid: _status(pid, "VmRSS") for pid in self.workers()}

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for pid in self.workers():
                hwm = _status(pid, "VmHWM")
                self.peak[pid] = max(self.peak.get(pid, 0), hwm)

    def reset_peak(self) -> None:
        # VmHWM only grows; reset it (Linux: write 5 to clear_refs) for a per-size figure.
        for pid in self.workers():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass
        self.peak = {}

    def stop(self) -> None:
        self._stop.set()
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def _status(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


WRK_LINE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$")


def wrk(url: str, token: str | None, duration: float, threads: int, connections: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    command += ["--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for line in out.splitlines():
        match = WRK_LINE.match(line)
        if match:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(3)]
            result[f"p{match.group(1)}_ms"] = float(match.group(2)) * scale
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    result["errors"] = int(errors.group(1)) if errors else 0
    if socket_errors:
        result["errors"] += sum(int(n) for n in socket_errors.groups())
    return result


def endpoints(stores: int, items: int) -> dict[str, tuple[str, bool]]:
    mid_store = f"lb-s{stores // 2:04d}"
    page = max(1, stores * items // 100 // 2)
    return {
        "GET /stores": ("/stores", False),
        "GET /store/<name>": (f"/store/{mid_store}", False),
        "GET /items (token)": ("/items", True),
        "GET /items (visitor)": ("/items", False),
        "GET /item/<name> (token)": (f"/item/{mid_store}-i{items // 2:04d}", True),
        "GET /items?page&per_page=100 (token)": (f"/items?page={page}&per_page=100", True),
    }


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB


def bench_token(url: str) -> str:
    """An access token for USER, from the app in this process on the benchmark's database.

    Not through the server: argon2id's 19 MiB buffer would stay in the heap of the worker that
    hashed (glibc keeps freed memory), inflating that worker's idle footprint and then holding
    the list bodies out of sight of the peak.
    """
    from stores_api import create_app

    app = create_app({"JWT_SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.test_client() as client:
        client.post("/register", json=USER)
        response = client.post("/login", json=USER)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def idle_footprint(server: Server, stores: int, items: int, token: str) -> dict[int, int]:
    """RSS (KiB) per worker once every worker has loaded the app and served small requests.

    The first request of each kind allocates lasting state (compiled statements, connections,
    per-thread buffers) that no list body causes, so every thread first serves a store and an
    item (a few KiB each) for a second; the lists are not touched.
    """
    store = f"lb-s{stores // 2:04d}"
    wrk(f"{server.url}/store/{store}", None, 1, 2, 16)
    wrk(f"{server.url}/item/{store}-i{items // 2:04d}", token, 1, 2, 16)
    time.sleep(0.5)
    return server.rss()


def first_read_after_write(server: Server, token: str, path: str, auth: bool, store_id: int):
    """Seconds for the first GET after a write (every worker's prepared body is stale)."""
    times = []
    for n in range(4):
        body = {"price": 1 + n, "store_id": store_id}
        status, _, _ = http("PUT", f"{server.url}/item/bench-write", body, token)
        assert status in (200, 201), status
        started = time.perf_counter()
        status, _, _ = http("GET", server.url + path, token=token if auth else None)
        times.append(time.perf_counter() - started)
        assert status == 200
    return statistics.median(times)


def run_size(kind, url, stores, items, args, workdir, log) -> dict:
    env = {"FLASK_JWT_SECRET_KEY": SECRET, "DATABASE_URL": url, "FLASK_SQL_QUERY_HEADER": "true"}
    subprocess.run(
        [str(BIN / "python"), "bench/seed.py", "--stores", str(stores), "--items", str(items)],
        cwd=ROOT, env={**os.environ, **env}, check=True, stdout=log, stderr=log,
    )  # fmt: skip
    token = bench_token(url)
    ours = Server(ROOT / "uwsgi.ini", env, workdir / "ours.log")
    try:
        idle = idle_footprint(ours, stores, items, token)
        ours.reset_peak()
        result: dict = {"db": kind, "size": f"{stores}x{items}", "items": stores * items}
        result["idle_rss_kib"] = max(idle.values())
        # Record every URL's bytes for the ceiling, and the statements each request runs.
        snapshot = workdir / f"snapshot-{kind}-{stores}x{items}"
        snapshot.mkdir()
        index: dict = {}
        probes = {}
        for name, (path, auth) in endpoints(stores, items).items():
            http("GET", ours.url + path, token=token if auth else None)
            status, headers, body = http("GET", ours.url + path, token=token if auth else None)
            assert status == 200, (name, status, body[:200])
            kind_key = "auth" if auth else "anon"
            file = f"{len(index)}-{kind_key}.json"
            (snapshot / file).write_bytes(body)
            index.setdefault(path, {})[kind_key] = file
            probes[name] = {"bytes": len(body), "sql": int(headers.get("X-SQL-Queries", -1))}
        (snapshot / "index.json").write_text(json.dumps(index))
        # The cold costs: a write, then each list once.
        store_id = json.loads(http("GET", ours.url + "/store/lb-s0000")[2])["id"]
        for name, (path, auth) in endpoints(stores, items).items():
            http("PUT", f"{ours.url}/item/bench-write", {"price": 1, "store_id": store_id}, token)
            _, headers, _ = http("GET", ours.url + path, token=token if auth else None)
            probes[name]["sql_after_write"] = int(headers.get("X-SQL-Queries", -1))
        result["first_stores_after_write_s"] = first_read_after_write(
            ours, token, "/stores", False, store_id
        )
        result["first_items_after_write_s"] = first_read_after_write(
            ours, token, "/items", True, store_id
        )
        ceiling_env = {"BENCH_CEILING_SNAPSHOT": str(snapshot / "index.json")}
        ceiling = Server(ceiling_ini(workdir), ceiling_env, workdir / "ceiling.log")
        try:
            measured = {name: {"ours": [], "ceiling": []} for name in probes}
            for round_number in range(args.rounds):
                for name, (path, auth) in endpoints(stores, items).items():
                    pair = [("ours", ours), ("ceiling", ceiling)]
                    if round_number % 2:
                        pair.reverse()
                    for label, server in pair:
                        if args.warmup:
                            wrk(server.url + path, token if auth else None, args.warmup, 1, 4)
                        figures = wrk(
                            server.url + path,
                            token if auth else None,
                            args.duration,
                            args.threads,
                            args.connections,
                        )
                        measured[name][label].append(figures)
                        print(f"  {kind} {stores}x{items} {name:38} {label:8} "
                              f"{figures['rps']:8.0f} req/s", file=sys.stderr)  # fmt: skip
        finally:
            ceiling.stop()
        result["peak_rss_kib"] = max(ours.peak.values(), default=0)
        # Each worker against its own idle footprint (a worker started later: the smallest).
        result["rss_growth_kib"] = max(
            (peak - idle.get(pid, min(idle.values())) for pid, peak in ours.peak.items()),
            default=0,
        )
        result["endpoints"] = {}
        for name, runs in measured.items():
            entry = {**probes[name]}
            for label in ("ours", "ceiling"):
                entry[label] = {
                    key: statistics.median(run[key] for run in runs[label])
                    for key in ("rps", "p50_ms", "p99_ms")
                }
                entry[label]["errors"] = sum(run["errors"] for run in runs[label])
            entry["ratio"] = entry["ours"]["rps"] / entry["ceiling"]["rps"]
            result["endpoints"][name] = entry
        result["largest_body"] = max(p["bytes"] for p in probes.values())
        return result
    finally:
        ours.stop()


def ceiling_ini(workdir: Path) -> Path:
    """The repo's uwsgi.ini, serving bench/ceiling.py instead of our app."""
    text = (ROOT / "uwsgi.ini").read_text()
    text = text.replace("module = stores_api.wsgi:app", "module = ceiling:application")
    text = text.replace("[uwsgi]", f"[uwsgi]\nchdir = {ROOT / 'bench'}", 1)
    path = workdir / "ceiling.ini"
    path.write_text(text)
    return path


# Counts the status of every answer (wrk only tells 2xx/3xx from the rest) and prints them.
STATUS_SCRIPT = """
%s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      io.write(("status %%d %%d\\n"):format(status, n))
    end
  end
end
"""
# Every login limit out of the way: what is left to protect the other endpoints is the pool.
NO_LOGIN_LIMITS = {
    f"FLASK_RATELIMIT_LOGIN_{name}": "1000000 per minute"
    for name in ("ATTEMPTS_PER_IP", "PER_IP", "PER_USERNAME")
}


LOGIN_REQUEST = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{json.dumps(USER)}'
"""


def flood(url: str, script: Path, duration: float, connections: int = 8) -> subprocess.Popen:
    """The script's requests to url from one client IP for duration seconds."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s"]
    command += ["-s", str(script)]
    return subprocess.Popen([*command, url], stdout=subprocess.PIPE, text=True)


def flood_result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=120)
    statuses: dict[str, int] = {}
    for status, n in re.findall(r"^status (\d+) (\d+)$", out, re.M):
        statuses[status] = statuses.get(status, 0) + int(n)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "statuses": statuses,
    }


def store_under_flood(server: Server, flood_url: str, script: Path, args) -> dict:
    """GET /store/<name> alone, then while 8 connections flood flood_url; medians of rounds."""
    store = server.url + "/store/lb-s0010"
    wrk(store, None, args.warmup or 1, 1, 4)  # every worker has loaded the app
    runs = []
    for _ in range(args.rounds):
        alone = wrk(store, None, args.duration, 1, 4)
        flooding = flood(flood_url, script, args.duration + 2)
        time.sleep(1)
        during = wrk(store, None, args.duration, 1, 4)
        runs.append({"alone": alone, "during": during, "flood": flood_result(flooding)})
        time.sleep(1)  # the flood's last requests are answered
    result: dict = {"rounds": runs}
    for name in ("alone", "during"):
        result[f"store_{name}"] = {
            key: statistics.median(run[name][key] for run in runs) for key in ("rps", "p50_ms")
        }
    floods = [run["flood"] for run in runs]
    result["flood"] = {
        "rps": statistics.median(one["rps"] for one in floods),
        "statuses": {
            status: sum(one["statuses"].get(status, 0) for one in floods)
            for status in sorted({status for one in floods for status in one["statuses"]})
        },
    }
    return result


def login_figures(args, workdir: Path, log) -> dict:
    """argon2id ms per hash; login req/s; GET /store/<name> alone and during a login flood from
    one client IP, (a) with the default limits, (b) with the login limits out of the way, so the
    bounded hashing pool is what protects the other endpoints."""
    from stores_api import create_app
    from stores_api.auth.passwords import _hasher

    app = create_app({"JWT_SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        hasher = _hasher()  # the argon2 cost alone, not the pool's
        started = time.perf_counter()
        for _ in range(10):
            hasher.hash("a long passphrase")
        ms_per_hash = (time.perf_counter() - started) * 100
        config = {k: app.config[k] for k in app.config if k.startswith("ARGON2_")}
        config["RATELIMIT_LOGIN_ATTEMPTS_PER_IP"] = app.config["RATELIMIT_LOGIN_ATTEMPTS_PER_IP"]
    url = f"sqlite:///{workdir / 'login.db'}"
    env = {**os.environ, "FLASK_JWT_SECRET_KEY": SECRET, "DATABASE_URL": url}
    upgrade = [str(BIN / "stores-api"), "db", "upgrade"]
    subprocess.run(upgrade, env=env, check=True, stdout=log, stderr=log)
    seed = [str(BIN / "python"), "bench/seed.py", "--stores", "20", "--items", "25"]
    subprocess.run(seed, cwd=ROOT, env=env, check=True, stdout=log, stderr=log)
    script = workdir / "login.lua"
    script.write_text(STATUS_SCRIPT % LOGIN_REQUEST)
    healthz_script = workdir / "healthz.lua"
    healthz_script.write_text(STATUS_SCRIPT % "")
    report = {"argon2": config, "ms_per_hash": ms_per_hash, "load_before": os.getloadavg()}
    # (b) first: the user registers there, and the login throughput is measured unlimited.
    server = Server(ROOT / "uwsgi.ini", {**env, **NO_LOGIN_LIMITS}, workdir / "login-pool.log")
    try:
        http("POST", f"{server.url}/register", USER)
        # Throughput within the pool: one login hashing and one waiting per worker.
        login = server.url + "/login"
        flood(login, script, args.warmup or 1, 4).communicate(timeout=60)
        report["logins"] = flood_result(flood(login, script, args.duration, 4))
        report["logins"]["ok_per_s"] = report["logins"]["statuses"].get("200", 0) / args.duration
        report["pool_only"] = store_under_flood(server, login, script, args)
    finally:
        server.stop()
    server = Server(ROOT / "uwsgi.ini", env, workdir / "login-defaults.log")
    try:
        report["default_limits"] = store_under_flood(server, server.url + "/login", script, args)
        # For comparison: a flood of the cheapest request there is, from the same 8 connections.
        report["healthz_flood"] = store_under_flood(
            server, server.url + "/healthz", healthz_script, args
        )
    finally:
        server.stop()
    report["load_after"] = os.getloadavg()
    for name in ("pool", "defaults"):
        run = report["pool_only" if name == "pool" else "default_limits"]
        if any(status.startswith("5") and status != "503" for status in run["flood"]["statuses"]):
            shutil.copy(workdir / f"login-{name}.log", args.out / f"login-{name}.log")
            print(f"server errors: see {args.out / f'login-{name}.log'}", file=sys.stderr)
    return report


def login_table(login: dict) -> str:
    def statuses(flood: dict) -> str:
        return ", ".join(f"{n} × {status}" for status, n in sorted(flood["statuses"].items()))

    argon2 = login["argon2"]
    lines = [
        f"argon2id m={argon2['ARGON2_MEMORY_COST']} KiB t={argon2['ARGON2_TIME_COST']} "
        f"p={argon2['ARGON2_PARALLELISM']}: {login['ms_per_hash']:.1f} ms per hash in-process; "
        f"pool per worker: {argon2['ARGON2_MAX_CONCURRENT']} hashing, "
        f"{argon2['ARGON2_MAX_WAITING']} waiting up to {argon2['ARGON2_MAX_WAIT_SECONDS']:g} s",
        f"POST /login, 4 connections, login limits out of the way: "
        f"{login['logins']['ok_per_s']:.1f} logins/s ({statuses(login['logins'])} "
        f"in {login['logins']['rps']:.0f} req/s)",
        "",
        "| flood (8 connections, one IP) | GET /store/<name> alone: req/s, p50 "
        "| during the flood: req/s, p50 | flood answers |",
        "|---|---|---|---|",
    ]
    runs = (
        ("default_limits", "POST /login, default limits"),
        ("pool_only", "POST /login, login limits raised"),
        ("healthz_flood", "GET /healthz (for comparison)"),
    )
    for name, label in runs:
        run = login[name]
        alone, during = run["store_alone"], run["store_during"]
        lines.append(
            f"| {label} | {alone['rps']:.0f}, {alone['p50_ms']:.2f} ms | "
            f"{during['rps']:.0f}, {during['p50_ms']:.2f} ms | {statuses(run['flood'])} |"
        )
    lines.append(f"load average before {login['load_before']}, after {login['load_after']}")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    lines = [
        "| db | size | endpoint | ours req/s | ceiling req/s | ours/ceiling "
        "| p50 ours / ceiling (ms) | p99 ours / ceiling (ms) "
        "| SQL per request (warm / after a write) | body bytes |",
        "|---|---|---|---:|---:|---:|---|---|---|---:|",
    ]
    for r in results:
        for name, e in r["endpoints"].items():
            o, c = e["ours"], e["ceiling"]
            lines.append(
                f"| {r['db']} | {r['size']} | {name} | {o['rps']:.0f} | {c['rps']:.0f} | "
                f"{e['ratio']:.2f} | {o['p50_ms']:.2f} / {c['p50_ms']:.2f} | "
                f"{o['p99_ms']:.1f} / {c['p99_ms']:.1f} | {e['sql']} / {e['sql_after_write']} | "
                f"{e['bytes']} |"
            )
    lines += [
        "",
        "| db | size | first GET /stores after a write (s) | µs per item | first GET /items "
        "after a write (s) | idle RSS per worker (MiB) | peak RSS per worker (MiB) | peak − idle,"
        " same worker (MiB) | largest body (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['db']} | {r['size']} | {r['first_stores_after_write_s']:.3f} | "
            f"{r['first_stores_after_write_s'] / r['items'] * 1e6:.2f} | "
            f"{r['first_items_after_write_s']:.3f} | {r['idle_rss_kib'] / 1024:.1f} | "
            f"{r['peak_rss_kib'] / 1024:.1f} | {r['rss_growth_kib'] / 1024:.1f} | "
            f"{r['largest_body'] / 2**20:.2f} |"
        )
    return "\n".join(lines)


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dbs = sorted({r["db"] for r in results})
    names = list(results[0]["endpoints"])
    fig, axes = plt.subplots(1, len(dbs), figsize=(7 * len(dbs), 5), squeeze=False)
    for ax, db in zip(axes[0], dbs, strict=True):
        rows = [r for r in results if r["db"] == db]
        sizes = [r["items"] for r in rows]
        for n, name in enumerate(names):
            color = f"C{n}"
            ours = [r["endpoints"][name]["ours"]["p50_ms"] for r in rows]
            ceiling = [r["endpoints"][name]["ceiling"]["p50_ms"] for r in rows]
            ax.plot(sizes, ours, "o-", color=color, label=f"{name} ours")
            ax.plot(sizes, ceiling, "x--", color=color, alpha=0.6, label=f"{name} ceiling")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("items in the database (stores x items per store)")
        ax.set_ylabel("p50 latency, ms (wrk, 16 connections)")
        ax.set_title(f"{db}: ours (solid) vs ceiling (dashed)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_before": os.getloadavg(),
        "python": sys.version.split()[0],
        "kernel": os.uname().release,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="20x25,100x50,1000x100")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=3, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-login", action="store_true", help="skip the login figures")
    parser.add_argument(
        "--only-login",
        action="store_true",
        help="only the login figures (about 90 s); written to login.json, latest.* untouched",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: make system-deps (or apt-get install wrk)")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "settings": vars(args) | {"out": str(args.out)}}
    started = time.time()
    results = []
    with tempfile.TemporaryDirectory(prefix="stores-bench-") as tmp:
        workdir = Path(tmp)
        log = (workdir / "setup.log").open("ab")
        try:
            for kind in [] if args.only_login else args.dbs.split(","):
                url = database_url(kind, workdir)
                env = {**os.environ, "FLASK_JWT_SECRET_KEY": SECRET, "DATABASE_URL": url}
                subprocess.run([str(BIN / "stores-api"), "db", "upgrade"], env=env, check=True,
                               stdout=log, stderr=log)  # fmt: skip
                for size in args.sizes.split(","):
                    stores, items = (int(n) for n in size.split("x"))
                    print(f"{kind} {size}: seeding and measuring", file=sys.stderr)
                    results.append(run_size(kind, url, stores, items, args, workdir, log))
            if not args.no_login:
                report["login"] = login_figures(args, workdir, log)
        except Exception:
            for name in (
                "setup.log",
                "ours.log",
                "ceiling.log",
                "login-pool.log",
                "login-defaults.log",
            ):
                path = workdir / name
                if path.exists():
                    print(f"--- {name} (tail)\n" + path.read_text()[-3000:], file=sys.stderr)
            raise
    report["machine"]["load_after"] = os.getloadavg()
    report["seconds"] = round(time.time() - started)
    if args.only_login:
        (args.out / "login.json").write_text(json.dumps(report, indent=1))
        print(login_table(report["login"]))
        print(f"machine: {json.dumps(report['machine'])}; took {report['seconds']} s")
        print(f"wrote {args.out / 'login.json'}")
        return
    report["results"] = results
    (args.out / "latest.json").write_text(json.dumps(report, indent=1))
    markdown = table(results)
    (args.out / "latest.md").write_text(markdown + "\n")
    chart(results, args.out / "latency.png")
    print(markdown)
    if "login" in report:
        print(login_table(report["login"]))
    print(f"machine: {json.dumps(report['machine'])}; took {report['seconds']} s")
    print(f"wrote {args.out / 'latest.json'}, latest.md, latency.png")


if __name__ == "__main__":
    main()

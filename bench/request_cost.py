"""What one request costs the app itself: CPU time per request, called in-process (no HTTP).

    .venv/bin/python bench/request_cost.py [--requests N] [--profile ENDPOINT]

Builds the app on a scratch SQLite file (1 store × 50 items, one user), calls it as a WSGI app
for each benchmark endpoint, and prints the CPU microseconds per request (best of 7 batches,
process time, so other load on the machine matters little) next to a minimal Flask app answering
the same bytes: the part of the server's time that is ours. --profile prints cProfile's top
entries for one endpoint (e.g. --profile "GET /item/<name>").
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

from flask import Flask, Response
from werkzeug.test import EnvironBuilder

from stores_api import create_app
from stores_api.extensions import db

SECRET = "request-cost-benchmark-secret-0123456789"
USER = {"username": "bench", "password": "bench-password-1"}


def call(app, environ: dict) -> bytes:
    status = []
    body = app(dict(environ), lambda s, _headers, _exc=None: status.append(s))
    data = b"".join(body)
    getattr(body, "close", lambda: None)()
    if not status[0].startswith("200"):
        raise SystemExit(f"{environ['PATH_INFO']} answered {status[0]}")
    return data


def cpu_us_per_request(app, environ: dict, requests: int) -> float:
    batch = max(1, requests // 7)
    for _ in range(min(200, batch)):
        call(app, environ)
    best = []
    for _ in range(7):
        started = time.process_time()
        for _ in range(batch):
            call(app, environ)
        best.append((time.process_time() - started) / batch * 1e6)
    return min(best)


def ceiling_for(bodies: dict[str, bytes]) -> Flask:
    ceiling = Flask("ceiling")

    @ceiling.get("/<path:_path>")
    def answer(_path):
        from flask import request

        return Response(bodies[request.full_path.rstrip("?")], mimetype="application/json")

    return ceiling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3500)
    parser.add_argument("--profile", help="an endpoint name to profile, as printed")
    args = parser.parse_args()
    os.environ.setdefault("FLASK_LOG_LEVEL", "WARNING")  # no access lines on the terminal
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'cost.db'}",
                "JWT_SECRET_KEY": SECRET,
            }
        )
        with app.app_context():
            db.create_all()
        client = app.test_client()
        client.post("/register", json=USER)
        token = client.post("/login", json=USER).get_json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        store_id = client.post("/store/s1", headers=auth).get_json()["id"]
        for n in range(50):
            client.post(f"/item/i{n}", headers=auth, json={"price": 1.5 + n, "store_id": store_id})
        endpoints = {
            "GET /item/<name>": ("/item/i1", auth),
            "GET /store/<name>": ("/store/s1", {}),
            "GET /stores": ("/stores", {}),
            "GET /items (token)": ("/items", auth),
            "GET /items (visitor)": ("/items", {}),
            "GET /items?page&per_page=10 (token)": ("/items?page=2&per_page=10", auth),
        }
        environs = {
            name: EnvironBuilder(path=path.split("?")[0], query_string=path.partition("?")[2],
                                 headers=headers).get_environ()
            for name, (path, headers) in endpoints.items()
        }  # fmt: skip
        bodies = {path: call(app, environs[name]) for name, (path, _) in endpoints.items()}
        ceiling = ceiling_for(bodies)
        print(f"{'endpoint':40s} {'ours µs':>9s} {'ceiling µs':>11s}")
        for name, environ in environs.items():
            ours = cpu_us_per_request(app, environ, args.requests)
            floor = cpu_us_per_request(ceiling, environ, args.requests)
            print(f"{name:40s} {ours:9.1f} {floor:11.1f}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                call(app, environs[args.profile])
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()

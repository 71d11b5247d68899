"""What checking a token costs: the database path (one indexed query) vs Redis (one MGET).

    .venv/bin/python bench/token_check.py [checks]

Uses PostgreSQL and Redis on 127.0.0.1 (a scratch database and key prefix, removed at the end)
and prints the median and p99 time of one check, in microseconds, for each path.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid

import psycopg
import redis

from stores_api import create_app
from stores_api.auth.blocklist import token_is_live
from stores_api.extensions import db
from stores_api.models import Session, User

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "stores_api_bench_token_check"
REDIS_URL = "redis://127.0.0.1:6379/7"


def measure(app, claims: dict, checks: int) -> list[float]:
    timings = []
    with app.app_context():
        if not token_is_live(claims):
            raise SystemExit("the session should be live")
        for _ in range(checks):
            start = time.perf_counter()
            token_is_live(claims)
            timings.append((time.perf_counter() - start) * 1e6)
            db.session.remove()  # as at the end of a request
    return timings


def main(checks: int) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    prefix = f"stores_api_bench:{uuid.uuid4().hex[:8]}:"
    base = {
        "SQLALCHEMY_DATABASE_URI": ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE,
        "JWT_SECRET_KEY": "bench-secret-" + "x" * 40,
        "LOG_LEVEL": "WARNING",
    }
    try:
        app = create_app(base)
        with app.app_context():
            db.create_all()
            for n in range(1000):  # a table that is not empty
                db.session.add(User(username=f"user{n}", password_hash="x"))
            db.session.flush()
            user = db.session.scalars(db.select(User).limit(1)).one()
            sessions = [
                Session(id=Session.new_id(), user_id=user.id, expires_at=db.func.now())
                for _ in range(5000)
            ]
            db.session.add_all(sessions)
            db.session.commit()
            claims = {"sub": str(user.id), "sid": sessions[2500].id}
            db.engine.dispose()
        # The session rows expire "now", but the check only asks "not revoked".
        for label, extra in (
            ("database", {}),
            ("redis", {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix}),
        ):
            timings = measure(create_app({**base, **extra}), claims, checks)
            timings.sort()
            print(
                f"{label:9s} checks={checks} median={statistics.median(timings):7.1f} us "
                f"p99={timings[int(len(timings) * 0.99)]:7.1f} us"
            )
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)

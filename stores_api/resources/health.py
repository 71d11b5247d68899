"""/healthz (the process answers) and /readyz (its database and Redis answer): no auth, no limits.

Probes must never be throttled: this whole blueprint is exempt from the rate limiter, default
and application-wide limits included. Successful probes are left out of the request log (see
request_log.QUIET_PATHS).
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from stores_api.errors import error_body
from stores_api.extensions import db, limiter
from stores_api.resources.docs import Blueprint
from stores_api.schemas.health import HealthSchema, ReadinessSchema

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")

limiter.exempt(blp)


def _database_state() -> str:
    """The database: "ok", "down" (no connection) or "not_migrated" (a model's table is missing)."""
    try:
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except SQLAlchemyError:
        current_app.logger.warning("readiness: the database is unreachable", exc_info=True)
        return "down"
    return "ok" if set(db.metadata.tables) <= tables else "not_migrated"


def _redis_state(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        current_app.logger.warning("readiness: Redis is unreachable", exc_info=True)
        return "down"
    finally:
        client.close()
    return "ok"


PROBLEMS = {"down": "unreachable", "not_migrated": "not migrated (run `stores-api db upgrade`)"}


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Liveness: the process answers (touches neither the database nor Redis)"""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="Something it needs is down")
    def get(self):
        """Readiness: the database is reachable and migrated (and Redis answers, if configured)"""
        checks = {"database": _database_state()}
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            checks["redis"] = _redis_state(redis_url)
        problems = [f"{name} {PROBLEMS[state]}" for name, state in checks.items() if state != "ok"]
        if not problems:
            return {"status": "ready", "checks": checks}
        body = error_body(503, f"Not ready: {'; '.join(problems)}.", "not_ready")
        return {**body, "checks": checks}, 503

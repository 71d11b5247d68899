"""/healthz (the process answers) and /readyz (its database and Redis answer): no auth, no limits.

A rate limiter should exempt this whole blueprint (`limiter.exempt(blp)`): probes must never be
throttled. Successful probes are left out of the request log (see request_log.QUIET_PATHS).
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from stores_api.errors import error_body
from stores_api.extensions import db
from stores_api.resources.docs import Blueprint
from stores_api.schemas.health import HealthSchema, ReadinessSchema

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")


def _database_ok() -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("readiness: the database is unreachable", exc_info=True)
        return False
    return True


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        current_app.logger.warning("readiness: Redis is unreachable", exc_info=True)
        return False
    finally:
        client.close()


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
        """Readiness: the database (and Redis, when REDIS_URL is set) can be reached"""
        checks = {"database": "ok" if _database_ok() else "down"}
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            checks["redis"] = "ok" if _redis_ok(redis_url) else "down"
        down = [name for name, state in checks.items() if state == "down"]
        if not down:
            return {"status": "ready", "checks": checks}
        body = error_body(503, f"Not ready: {', '.join(down)} unreachable.", "not_ready")
        return {**body, "checks": checks}, 503

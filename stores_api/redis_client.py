"""The optional Redis connection (REDIS_URL): revoked sessions and rate-limit counters."""

from __future__ import annotations

import redis
from flask import Flask, current_app


def init_redis(app: Flask) -> None:
    """Connect lazily to REDIS_URL, and point Flask-Limiter's counters at the same server."""
    url = app.config.get("REDIS_URL")
    prefix = app.config["REDIS_KEY_PREFIX"]
    timeout = float(app.config["REDIS_TIMEOUT"])
    app.config.setdefault("RATELIMIT_KEY_PREFIX", prefix.rstrip(":") or "stores_api")
    if not url:
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        return
    app.extensions["redis"] = redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", url)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        {
            "key_prefix": f"{prefix}limits",
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        },
    )


def redis_client() -> redis.Redis | None:
    """The app's Redis client, or None when REDIS_URL is not set (the database is used)."""
    return current_app.extensions.get("redis")


def redis_key(*parts: str) -> str:
    return current_app.config["REDIS_KEY_PREFIX"] + ":".join(parts)

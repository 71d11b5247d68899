"""Configuration: defaults, FLASK_* variables, DATABASE_URL. Nothing else reads os.environ."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """The configuration cannot run a safe server; the message says what to set."""


DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Stores REST API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "JWT_ACCESS_TOKEN_EXPIRES": 900,
    "JWT_REFRESH_TOKEN_EXPIRES": 30 * 24 * 3600,
    "JWT_TOKEN_LOCATION": ["headers"],
    "JWT_ALGORITHM": "HS256",
    "JWT_DECODE_ALGORITHMS": ["HS256"],
    "PASSWORD_MIN_LENGTH": 8,
    # argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1).
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19 * 1024,
    "ARGON2_PARALLELISM": 1,
    # Per worker process: hashes computed at once, requests waiting for one (at most this
    # long), the others 503 login_busy (stores_api/auth/passwords.py). Keep the first two
    # below uwsgi's threads per process, so some threads stay free for other requests.
    "ARGON2_MAX_CONCURRENT": 1,
    "ARGON2_MAX_WAITING": 1,
    "ARGON2_MAX_WAIT_SECONDS": 2.0,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # Seconds a client is told to wait when the database is unreachable.
    "DB_RETRY_AFTER": 5,
    "DB_POOL_TIMEOUT": 5,
    "DB_CONNECT_TIMEOUT": 3,
    "DB_STATEMENT_TIMEOUT_MS": 5000,
    "LOG_LEVEL": "INFO",
    # Prepared list bodies each worker keeps for the current data version (stores_api/cache.py).
    "RESPONSE_CACHE_MAX_BYTES": 64 * 1024 * 1024,
    # Diagnostics for benchmarks and tests only: an X-SQL-Queries header on every response.
    "SQL_QUERY_HEADER": False,
    # Sessions: a rotated refresh token is accepted again this long (a client's racing retry).
    "REFRESH_GRACE_SECONDS": 5,
    # Shared state in Redis (with REDIS_URL): key prefix, and seconds to wait for an answer.
    "REDIS_KEY_PREFIX": "stores_api:",
    "REDIS_TIMEOUT": 1.0,
    # Rate limits (Flask-Limiter strings); X-Forwarded-For is trusted from this many proxies.
    "RATELIMIT_LOGIN_PER_USERNAME": "10 per 15 minutes",
    "RATELIMIT_LOGIN_PER_IP": "50 per 15 minutes",
    "RATELIMIT_LOGIN_ATTEMPTS_PER_IP": "30 per minute",
    "RATELIMIT_REGISTER_PER_IP": "20 per hour",
    "RATELIMIT_REFRESH_PER_SESSION": "30 per minute",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Flask-Limiter would rewrite Retry-After on every response of a limited route to the end
    # of its window, so a 503 meant "retry in 1 s" would say "in 15 minutes". Its hint gets a
    # header of its own; Retry-After is what the app sets (429, 503).
    "RATELIMIT_HEADER_RETRY_AFTER": "X-RateLimit-Retry-After",
    "RATELIMIT_SWALLOW_ERRORS": False,
    "TRUSTED_PROXIES": 0,
}


def database_url(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL for DATABASE_URL as platforms write it (Heroku's postgres:// too)."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'stores.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, config: dict[str, Any]) -> dict[str, Any]:
    """Pool settings for a real server: pre-ping, bounded waits, a statement timeout."""
    if url.startswith("sqlite"):
        # Several worker processes share the file: wait for the write lock instead of failing.
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_timeout": config["DB_POOL_TIMEOUT"],
        "pool_recycle": 1800,
        "pool_size": 5,
        "max_overflow": 5,
        "hide_parameters": True,  # errors and logs show SQL, never the values bound to it
    }
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": config["DB_CONNECT_TIMEOUT"],
            "options": f"-c statement_timeout={int(config['DB_STATEMENT_TIMEOUT_MS'])}",
        }
    return options


def load_config(app, overrides: dict[str, Any] | None) -> None:
    """Fill app.config: defaults < FLASK_* environment < explicit overrides (tests)."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env()
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
        os.environ.get("DATABASE_URL"), app.instance_path
    )
    app.config["REDIS_URL"] = os.environ.get("REDIS_URL") or None
    if overrides:
        app.config.update(overrides)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(uri, app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if not app.config["SQLALCHEMY_ENGINE_OPTIONS"]:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"], app.config
        )
    app.config["CORS_ORIGINS"] = cors_origins(app.config.get("CORS_ORIGINS"))
    check_secret(app.config.get("JWT_SECRET_KEY"))


def cors_origins(value: Any) -> list[str]:
    """FLASK_CORS_ORIGINS as a list of exact origins: a JSON list or a comma-separated string.

    "*" is refused: the allowed origins are named, never "anyone".
    """
    if not value:
        return []
    origins = value.split(",") if isinstance(value, str) else list(value)
    origins = [str(origin).strip().rstrip("/") for origin in origins if str(origin).strip()]
    for origin in origins:
        if origin == "*" or "://" not in origin:
            raise ConfigError(
                f"FLASK_CORS_ORIGINS: {origin!r} is not an origin; list exact origins such as "
                "https://shop.example.com (scheme, host and port if not the default)."
            )
    return origins


def check_secret(secret: str | None) -> None:
    """Refuse to sign tokens with a missing or guessable key."""
    if not secret:
        raise ConfigError(
            "FLASK_JWT_SECRET_KEY is not set. Set it to a random string of at least "
            f"{MIN_SECRET_BYTES} bytes, e.g. the output of: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"FLASK_JWT_SECRET_KEY is too short ({len(secret.encode())} bytes); "
            f"use at least {MIN_SECRET_BYTES} random bytes."
        )


def development_secret(instance_path: str) -> str | None:
    """For `stores-api run`: the env key, or one generated once and kept in the instance folder."""
    if os.environ.get("FLASK_JWT_SECRET_KEY"):
        return None
    path = Path(instance_path) / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    return secret

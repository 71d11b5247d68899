"""Rate limits (Flask-Limiter): login attempts per client IP, failed logins per username and per
client IP, registrations per IP, refreshes per session. Counters live in Redis with REDIS_URL,
else in the process.

Each limit is a Flask-Limiter string read from the config at request time, so tests and
deployments set their own (e.g. FLASK_RATELIMIT_LOGIN_PER_USERNAME="5 per 15 minutes").
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from flask_jwt_extended import get_jwt
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from stores_api.errors import error_response
from stores_api.extensions import limiter


def configured(name: str):
    """A limit read from app.config at request time."""
    return lambda: current_app.config[name]


def username_key() -> str:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly nested JSON: the view answers 400 for it
        body = None
    username = body.get("username") if isinstance(body, dict) else None
    return f"username:{username if isinstance(username, str) else ''}"


def session_key() -> str:
    return f"session:{get_jwt().get('sid', '')}"


def failed_login(response) -> bool:
    return response.status_code == 401


def login_limits(fn):
    """Every login attempt counts per client IP; failed ones also per username and per client
    IP (/login and /auth together). Past any of them, even a right password is answered 429,
    before any hashing, until the window ends."""
    fn = limiter.shared_limit(
        configured("RATELIMIT_LOGIN_PER_IP"),
        scope="login-ip",
        key_func=get_remote_address,
        deduct_when=failed_login,
    )(fn)
    fn = limiter.shared_limit(
        configured("RATELIMIT_LOGIN_PER_USERNAME"),
        scope="login-username",
        key_func=username_key,
        deduct_when=failed_login,
    )(fn)
    return limiter.shared_limit(
        configured("RATELIMIT_LOGIN_ATTEMPTS_PER_IP"),
        scope="login-attempts-ip",
        key_func=get_remote_address,
    )(fn)


register_limit = limiter.limit(
    configured("RATELIMIT_REGISTER_PER_IP"), key_func=get_remote_address, scope="register-ip"
)
refresh_limit = limiter.limit(
    configured("RATELIMIT_REFRESH_PER_SESSION"), key_func=session_key, scope="refresh-session"
)


def init_rate_limits(app: Flask) -> None:
    """Trust X-Forwarded-For only from TRUSTED_PROXIES hops; bind the limiter; answer 429 in
    the one error shape with Retry-After."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    limiter.init_app(app)
    if not (app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION")):
        # Each limit here decorates a view method, which checks it when called. Flask-Limiter's
        # before-request hook adds only default and application-wide limits: with none set, it
        # would cost every request ~0.06 ms to find nothing.
        hooks = app.before_request_funcs.get(None, [])
        if limiter._check_request_limit in hooks:  # not there when limits are switched off
            hooks.remove(limiter._check_request_limit)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        current = limiter.current_limit
        retry_after = 1
        if current is not None:
            # reset_at is already rounded up to a whole second
            retry_after = max(1, int(current.reset_at - time.time()))
        return error_response(
            429,
            f"Too many requests: the limit is {exc.limit.limit}. Try again later.",
            "rate_limited",
            headers={"Retry-After": str(retry_after)},
        )

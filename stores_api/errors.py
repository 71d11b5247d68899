"""One error shape everywhere: {"code", "status", "message", "error"[, "errors"]}.

Every error the app can answer — aborts, validation, HTTP errors raised by Flask/Werkzeug,
JWT problems and database failures — goes through error_response().
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from limits.errors import StorageError
from redis.exceptions import RedisError
from sqlalchemy import exc as sa_exc
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from stores_api import jsonio
from stores_api.schemas.common import ErrorSchema

DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    401: "Authentication is required.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed on this URL.",
    409: "This conflicts with existing data.",
    413: "The request body is too large (the limit is 1 MiB).",
    415: "Send the body as JSON (Content-Type: application/json).",
    422: "The request data is invalid.",
    429: "Too many requests.",
    500: "Internal server error.",
    503: "The service is temporarily unavailable.",
}


def status_name(code: int) -> str:
    return HTTP_STATUS_CODES.get(code, "Error")


def error_code(code: int) -> str:
    """A stable machine code derived from the status, e.g. 404 -> "not_found"."""
    return status_name(code).lower().replace(" ", "_").replace("-", "_")


def error_body(
    code: int, message: str | None = None, error: str | None = None, errors: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "status": status_name(code),
        "message": message or DEFAULT_MESSAGES.get(code) or status_name(code),
        "error": error or error_code(code),
    }
    if errors:
        body["errors"] = errors
    return body


def error_response(
    code: int,
    message: str | None = None,
    error: str | None = None,
    errors: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = current_app.json.response(error_body(code, message, error, errors))
    response.status_code = code
    if headers:
        response.headers.update(headers)
    return response


def abort(code: int, message: str | None = None, error: str | None = None, **kwargs: Any):
    """Stop the request with an error in the one shape (flask-smorest's abort, with a code)."""
    smorest_abort(code, message=message or DEFAULT_MESSAGES.get(code), error=error, **kwargs)


class JsonErrorApi(Api):
    """flask-smorest's Api, answering every HTTP error (404, 405, 413, 500, ...) in our shape."""

    ERROR_SCHEMA = ErrorSchema
    # No catch-all "default" response: every status an operation answers is listed in the spec.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        code = error.code or 500
        errors = data.get("errors") or data.get("messages")
        message = data.get("message")
        if message is None and code == 422 and errors:
            message = "Validation failed: see errors for each field."
        if message is None and code not in DEFAULT_MESSAGES and error.description:
            message = error.description
        headers = dict(data.get("headers") or {})
        if code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return error_response(code, message, data.get("error"), errors, headers)


class JsonArgumentsParser(FlaskParser):
    """Body parsing: exact decimals, 415 for non-JSON bodies, 400 for malformed or too-deep JSON."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            if req.content_length or req.headers.get("Transfer-Encoding"):
                abort(415, error="unsupported_media_type")
            return core.missing
        data = req.get_data(cache=True)
        try:
            return jsonio.loads(data)
        except (ValueError, UnicodeDecodeError):
            abort(400, "The body is not valid JSON.", error="invalid_json")


DB_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def register_error_handlers(app) -> None:
    """Map database failures to JSON: unreachable -> 503 + Retry-After, constraint -> 409,
    unstorable value -> 422."""
    from stores_api.extensions import db

    def rollback() -> None:
        try:
            db.session.rollback()
        except sa_exc.SQLAlchemyError:
            app.logger.warning("rollback after a database error failed", exc_info=True)

    retry_after = {"Retry-After": str(app.config["DB_RETRY_AFTER"])}

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(exc):
        rollback()
        if is_missing_table(exc):
            return not_migrated(exc)
        app.logger.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
        return error_response(
            503,
            "The database is unavailable; try again shortly.",
            "database_unavailable",
            headers=retry_after,
        )

    @app.errorhandler(sa_exc.ProgrammingError)
    def schema_missing(exc):
        rollback()
        if not is_missing_table(exc):
            raise exc
        return not_migrated(exc)

    def not_migrated(exc):
        app.logger.error("database schema missing: run `stores-api db upgrade`", exc_info=exc)
        return error_response(
            503,
            "The database has not been migrated; run `stores-api db upgrade`.",
            "database_not_migrated",
            headers=retry_after,
        )

    @app.errorhandler(sa_exc.DataError)
    def unstorable_data(exc):
        # A value the database cannot hold (a NUL in PostgreSQL text, an out-of-range number)
        # that validation let through: the request is at fault, not the server.
        rollback()
        app.logger.warning("database refused a value: %s", exc.orig)
        return error_response(422, "The request holds a value that cannot be stored.")

    @app.errorhandler(RedisError)
    @app.errorhandler(StorageError)
    def shared_state_unavailable(exc):
        # Fail closed: without Redis we cannot tell a revoked token or a spent limit.
        rollback()
        app.logger.error("redis unavailable: %s", exc.__class__.__name__, exc_info=exc)
        return error_response(
            503,
            "The session store is unavailable; try again shortly.",
            "session_store_unavailable",
            headers={"Retry-After": str(app.config["DB_RETRY_AFTER"])},
        )

    @app.errorhandler(sa_exc.IntegrityError)
    def integrity_error(exc):
        rollback()
        return error_response(409)


def is_missing_table(exc: sa_exc.DBAPIError) -> bool:
    """SQLite's "no such table" or PostgreSQL's undefined_table (SQLSTATE 42P01)."""
    return getattr(exc.orig, "sqlstate", None) == "42P01" or "no such table" in str(exc.orig)


def is_foreign_key_violation(exc: sa_exc.IntegrityError) -> bool:
    """True when the IntegrityError broke a foreign key (PostgreSQL or SQLite), not a unique key."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name.startswith("fk_")
    return "FOREIGN KEY" in str(exc.orig).upper()

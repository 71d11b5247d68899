"""OpenAPI helpers: a Blueprint that parses JSON our way, and documented error responses."""

from __future__ import annotations

import copy
from functools import wraps
from typing import Any

from apispec import BasePlugin
from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from werkzeug.routing import UnicodeConverter

from stores_api.errors import DEFAULT_MESSAGES, JsonArgumentsParser
from stores_api.models.names import NAME_MAX_LENGTH
from stores_api.schemas.common import ErrorSchema

BEARER = [{"bearerAuth": []}]
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# A store or item name in a path: 1-80 characters, no "/" and no control characters.
NAME_PATTERN = rf"^[^/\u0000-\u001F\u007F]{{1,{NAME_MAX_LENGTH}}}$"
# Every operation that reads a body can answer these, whatever its own errors are.
BODY_ERRORS = (400, 413, 415, 422)
DATABASE_UNAVAILABLE = 503
REMEMBERED_QUERIES = 512
# Answers of the operations that hash a password, where they differ from the generic ones.
LOGIN_LIMITED = {
    429: "Too many login attempts from this client IP, or too many failed ones for this username "
    "or IP (rate_limited); Retry-After says when to try again."
}
HASHING_BUSY = {
    503: "Every password-hashing slot stayed taken (login_busy), or the database or Redis is down; "
    "Retry-After says when to try again."
}


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint, lighter per request.

    - A schema class given to arguments() is made an instance once, here: webargs would
      otherwise build a new schema (deep-copying its fields) on every request.
    - Query arguments are parsed once per query string: webargs parses and validates a query
      string the first time a view sees it, and the result is reused for the same string
      (up to REMEMBERED_QUERIES per view; an invalid one is answered 422 each time).
    - alt_response() (and so errors()) and doc() only document: flask-smorest wraps the view
      once more per documented response, and each wrapper costs a call per request.
    """

    ARGUMENTS_PARSER = JsonArgumentsParser()

    def arguments(self, schema, *args, location: str = "json", **kwargs):
        if isinstance(schema, type):
            schema = schema()
        parse = super().arguments(schema, *args, location=location, **kwargs)
        if location != "query":
            return parse

        def decorator(fn):
            remembered: dict[bytes, Any] = {}

            @wraps(fn)
            def remember(*f_args, **f_kwargs):
                # flask-smorest hands the parsed arguments over last, after the view's own.
                if len(remembered) < REMEMBERED_QUERIES:
                    remembered[request.query_string] = copy.deepcopy(f_args[-1])
                return fn(*f_args, **f_kwargs)

            parsing = parse(remember)

            @wraps(parsing)
            def wrapper(*f_args, **f_kwargs):
                parsed = remembered.get(request.query_string)
                if parsed is None:
                    return parsing(*f_args, **f_kwargs)
                return fn(*f_args, copy.deepcopy(parsed), **f_kwargs)

            return wrapper

        return decorator

    def alt_response(self, *args, **kwargs):
        return _documenting_only(super().alt_response(*args, **kwargs))

    @staticmethod
    def doc(**kwargs):
        return _documenting_only(SmorestBlueprint.doc(**kwargs))

    def errors(self, *codes: int, descriptions: dict[int, str] | None = None):
        """Document the error answers an operation can give, in the one error shape;
        descriptions replace the generic text of some of them."""
        descriptions = descriptions or {}

        def decorator(fn):
            for code in sorted(codes, reverse=True):
                description = descriptions.get(code) or DEFAULT_MESSAGES.get(code, "Error")
                fn = self.alt_response(code, schema=ErrorSchema, description=description)(fn)
            return fn

        return decorator


def _documenting_only(decorator):
    """flask-smorest's documentation decorator, without the call-through wrapper it adds."""

    def document(fn):
        fn._apidoc = decorator(fn)._apidoc
        return fn

    return document


def name_parameter_schema(_converter: UnicodeConverter) -> dict[str, Any]:
    """Path strings in this API are store and item names."""
    return {"type": "string", "minLength": 1, "maxLength": NAME_MAX_LENGTH, "pattern": NAME_PATTERN}


class ErrorResponsesPlugin(BasePlugin):
    """Documents the errors any operation can answer, so the spec lists every status we send.

    There is no catch-all "default" response (JsonErrorApi turns it off): a status that is
    not listed is a bug, and the schemathesis suite fails on it.
    """

    def operation_helper(self, path=None, operations=None, **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            codes = [DATABASE_UNAVAILABLE]
            if "requestBody" in operation:
                codes.extend(BODY_ERRORS)
            for code in codes:
                if code in responses:  # documented by the operation itself (an int key here)
                    continue
                responses.setdefault(
                    str(code),
                    {
                        "description": DEFAULT_MESSAGES[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )

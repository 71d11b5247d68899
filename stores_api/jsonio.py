"""JSON in and out: exact decimals in, orjson out, and hostile bodies answered with 400."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
from flask.json.provider import JSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Numeric(10, 2) has at most 10 significant digits: float round-trips them exactly.
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_bytes(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj, default=_default)
    except orjson.JSONEncodeError:
        # orjson stops at 64-bit integers; the standard library does not.
        return json.dumps(obj, default=_default, separators=(",", ":")).encode()


def loads(data: str | bytes) -> Any:
    """Parse a request body; numbers with a fraction become Decimal so money stays exact."""
    try:
        return json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply.") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON.")


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider, backed by orjson for output. Request bodies go through loads()."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps_bytes(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps_bytes(obj), mimetype=self.mimetype)

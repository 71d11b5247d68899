"""OpenAPI helpers: a Blueprint that parses JSON our way, and documented error responses."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint

from stores_api.errors import DEFAULT_MESSAGES, JsonArgumentsParser
from stores_api.schemas.common import ErrorSchema

BEARER = [{"bearerAuth": []}]


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = JsonArgumentsParser()

    def errors(self, *codes: int):
        """Document the error answers an operation can give, in the one error shape."""

        def decorator(fn):
            for code in sorted(codes, reverse=True):
                fn = self.alt_response(
                    code, schema=ErrorSchema, description=DEFAULT_MESSAGES.get(code, "Error")
                )(fn)
            return fn

        return decorator

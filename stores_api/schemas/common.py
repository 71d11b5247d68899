"""Schemas shared by several resources: messages, errors, money."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import Schema, fields

MAX_PRICE = Decimal("99999999.99")  # Numeric(10, 2)


class MessageSchema(Schema):
    message = fields.String(required=True)


class ErrorSchema(Schema):
    """The one error shape of every non-2xx answer."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    error = fields.String(metadata={"description": "Stable machine code, e.g. token_expired"})
    errors = fields.Dict(metadata={"description": "Validation messages per location and field"})


class Money(fields.Field):
    """Exact money: a JSON number, 0 <= price <= 99999999.99, at most two decimals."""

    default_error_messages = {
        "invalid": "Must be a number.",
        "special": "NaN and infinities are not prices.",
        "places": "At most two decimal places.",
        "range": f"Must be between 0 and {MAX_PRICE}.",
    }

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else float(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not amount.is_finite():
            raise self.make_error("special")
        if not (0 <= amount <= MAX_PRICE):
            raise self.make_error("range")
        if amount != amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
            raise self.make_error("places")
        return amount.quantize(Decimal("0.01"))

"""Probe answers: /healthz and /readyz."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(Schema):
    """200 {"status": "ready", "checks"}; 503 the error shape plus "checks"."""

    status = fields.String(
        required=True, metadata={"description": '"ready", or the HTTP status name when not'}
    )
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={
            "description": 'Each dependency: "ok", "down", or for the database "not_migrated"',
            "example": {"database": "ok"},
        },
    )
    code = fields.Integer(metadata={"description": "503 when not ready"})
    message = fields.String(metadata={"description": "What is down"})
    error = fields.String(metadata={"description": '"not_ready"'})

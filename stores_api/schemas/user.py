"""Users and credentials. A response never carries a password or its hash."""

from datetime import UTC

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates

from stores_api.models.user import ROLES

PASSWORD_MAX_LENGTH = 1024
# The same rules as JSON Schema patterns, for the OpenAPI document.
NO_CONTROL_CHARACTERS = r"^[^\u0000-\u001F\u007F]*$"
NO_NUL = r"^[^\u0000]*$"


def _no_control_characters(value: str) -> None:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError("Must not contain control characters.")


def check_new_password(value: str) -> None:
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if not minimum <= len(value) <= PASSWORD_MAX_LENGTH:
        raise ValidationError(f"Length must be between {minimum} and {PASSWORD_MAX_LENGTH}.")
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


class RegisterSchema(Schema):
    username = fields.String(
        required=True,
        validate=[validate.Length(3, 80), _no_control_characters],
        metadata={"pattern": NO_CONTROL_CHARACTERS},
    )
    # minLength is PASSWORD_MIN_LENGTH: create_app writes it into the spec.
    password = fields.String(
        required=True,
        load_only=True,
        metadata={"maxLength": PASSWORD_MAX_LENGTH, "pattern": NO_NUL},
    )

    @validates("password")
    def password_long_enough(self, value: str, **_kwargs) -> None:
        check_new_password(value)


class PasswordChangeSchema(Schema):
    """old_password is required of the user themself; an admin resetting another user's
    password leaves it out."""

    old_password = fields.String(load_only=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH))
    # minLength is PASSWORD_MIN_LENGTH: create_app writes it into the spec.
    new_password = fields.String(
        required=True,
        load_only=True,
        metadata={"maxLength": PASSWORD_MAX_LENGTH, "pattern": NO_NUL},
    )

    @validates("new_password")
    def new_password_long_enough(self, value: str, **_kwargs) -> None:
        check_new_password(value)


class CredentialsSchema(Schema):
    """Login: no length rules here, so a wrong guess is always 401, never a hint."""

    username = fields.String(required=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH)
    )


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    role = fields.String(dump_only=True)


class RoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UserPageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=2**31))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class UserPageSchema(Schema):
    users = fields.List(fields.Nested(UserSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class SessionSchema(Schema):
    id = fields.String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True, default_timezone=UTC)
    last_refreshed_at = fields.AwareDateTime(dump_only=True, default_timezone=UTC, allow_none=True)
    expires_at = fields.AwareDateTime(dump_only=True, default_timezone=UTC)
    user_agent = fields.String(dump_only=True, allow_none=True)
    current = fields.Boolean(dump_only=True)


class SessionListSchema(Schema):
    sessions = fields.List(fields.Nested(SessionSchema), required=True)


class RevokedCountSchema(Schema):
    message = fields.String(required=True)
    revoked = fields.Integer(required=True, metadata={"description": "sessions revoked"})


class TokensSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)


class AccessTokenSchema(Schema):
    access_token = fields.String(required=True)

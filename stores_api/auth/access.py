"""Who may do what: the JWT callbacks and the role checks, all answering in the error shape."""

from __future__ import annotations

from functools import wraps

from flask_jwt_extended import get_jwt, get_jwt_identity, verify_jwt_in_request

from stores_api.auth.blocklist import token_is_live
from stores_api.errors import abort, error_response
from stores_api.extensions import jwt


def admin_required(fn):
    """Logged in with an admin role claim; 401 without a token, 403 for other users."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        if not get_jwt().get("is_admin"):
            abort(403, "Admin privilege required.", error="admin_required")
        return fn(*args, **kwargs)

    return wrapper


def require_self_or_admin(user_id: int, fresh_for_self: bool = False) -> None:
    """Admins may act on anyone; a user only on themself (with a fresh token if asked)."""
    claims = get_jwt()
    if claims.get("is_admin"):
        return
    if get_jwt_identity() != str(user_id):
        abort(403, "You may only access your own account.", error="forbidden")
    if fresh_for_self and not claims.get("fresh"):
        abort(401, "A fresh token is required: log in again.", error="fresh_token_required")


@jwt.token_in_blocklist_loader
def token_is_revoked(_header, payload) -> bool:
    """Revoked unless its session is live (one indexed query, or one Redis round trip)."""
    return not token_is_live(payload)


@jwt.unauthorized_loader
def missing_token(reason: str):
    return error_response(
        401, "Request does not contain an access token.", "authorization_required"
    )


@jwt.invalid_token_loader
def invalid_token(reason: str):
    return error_response(
        401, f"Signature verification failed or token invalid: {reason}", "invalid_token"
    )


@jwt.expired_token_loader
def expired_token(_header, _payload):
    return error_response(401, "The token has expired.", "token_expired")


@jwt.needs_fresh_token_loader
def fresh_token_required(_header, _payload):
    return error_response(401, "A fresh token is required: log in again.", "fresh_token_required")


@jwt.revoked_token_loader
def revoked_token(_header, _payload):
    return error_response(401, "The token has been revoked.", "token_revoked")


@jwt.user_lookup_error_loader
def unknown_user(_header, _payload):
    return error_response(401, "The token has been revoked.", "token_revoked")

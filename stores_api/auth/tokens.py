"""Issuing and revoking JWTs. Identity is str(user.id); role claims come from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token, get_jwt

from stores_api.extensions import db
from stores_api.models import RevokedToken, User


def role_claims(user: User) -> dict[str, Any]:
    return {"role": user.role, "is_admin": user.is_admin}


def issue_login_tokens(user: User) -> dict[str, str]:
    """A fresh access token and a refresh token; the access token names its refresh token."""
    refresh_token = create_refresh_token(identity=str(user.id))
    refresh = decode_token(refresh_token)
    access_token = new_access_token(user, fresh=True, refresh_claims=refresh)
    return {"access_token": access_token, "refresh_token": refresh_token}


def new_access_token(user: User, fresh: bool, refresh_claims: dict[str, Any] | None = None) -> str:
    claims = role_claims(user)
    if refresh_claims:
        # Logout with this access token also revokes the refresh token issued with it.
        claims["rjti"] = refresh_claims["jti"]
        claims["rexp"] = refresh_claims["exp"]
    return create_access_token(identity=str(user.id), fresh=fresh, additional_claims=claims)


def _expiry(timestamp: int | None) -> datetime:
    if timestamp is None:
        return datetime.now(UTC) + timedelta(
            seconds=_seconds(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
        )
    return datetime.fromtimestamp(timestamp, UTC)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def revoke_current_session() -> None:
    """Revoke the presented token and, for an access token, the refresh token issued with it."""
    claims = get_jwt()
    RevokedToken.prune_expired()
    RevokedToken.revoke(claims["jti"], _expiry(claims.get("exp")))
    if claims.get("rjti"):
        RevokedToken.revoke(claims["rjti"], _expiry(claims.get("rexp")))
    db.session.commit()

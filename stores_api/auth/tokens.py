"""Issuing tokens: every login opens a session, and each token names it in a `sid` claim.

Identity is str(user.id); role claims come from the database when a token is issued, so a
role change takes effect at the user's next token (login or refresh).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from stores_api.auth.blocklist import revoke_sessions
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import Session, User
from stores_api.models.session import as_utc
from stores_api.models.user import utcnow

USER_AGENT_MAX = 255


def role_claims(user: User) -> dict[str, Any]:
    return {"role": user.role, "is_admin": user.is_admin}


def open_session(user: User, with_refresh: bool = True) -> dict[str, str]:
    """Log in: a new session, a fresh access token and (unless with_refresh is False, as for
    the first-edition /auth) a refresh token."""
    Session.prune_expired()
    session = Session(
        id=Session.new_id(),
        user_id=user.id,
        user_agent=request.user_agent.string[:USER_AGENT_MAX] or None,
        expires_at=utcnow() + _lifetime("JWT_ACCESS_TOKEN_EXPIRES"),
    )
    tokens = {"access_token": _access_token(user, session.id, fresh=True)}
    if with_refresh:
        refresh_token, claims = _refresh_token(user, session.id)
        session.refresh_jti = claims["jti"]
        session.expires_at = _latest(session.expires_at, claims["exp"])
        tokens["refresh_token"] = refresh_token
    db.session.add(session)
    db.session.commit()
    return tokens


def refresh_session(claims: dict[str, Any]) -> dict[str, str]:
    """Rotate the session's refresh token: a new access token and a new refresh token.

    The presented token must be the family's current one. The one it replaced is accepted
    again for REFRESH_GRACE_SECONDS after the rotation (a client retrying the same refresh in
    a race) and answers the family's current refresh token again; anything older is theft,
    and revokes the whole session.
    """
    sid, jti = claims.get("sid"), claims["jti"]
    user = User.find_by_id(int(claims["sub"]))
    if user is None or not sid:
        _revoked()
    refresh_token, new = _refresh_token(user, sid)
    expires_at = datetime.fromtimestamp(new["exp"], UTC)
    if Session.rotate(sid, jti, new["jti"], expires_at):
        db.session.commit()
        access_token = _access_token(user, sid, fresh=False)
        return {"access_token": access_token, "refresh_token": refresh_token}
    db.session.rollback()
    session = Session.find(sid)
    if session is None or not session.is_live:
        _revoked()
    if jti == session.previous_jti and _within_grace(session):
        return {
            "access_token": _access_token(user, sid, fresh=False),
            "refresh_token": _reissue_current_refresh_token(user, session),
        }
    current_app.logger.warning(
        "refresh token reuse: revoking session %s of user %s", session.id, user.id
    )
    revoke_sessions([session])
    db.session.commit()
    _revoked()


def _revoked():
    abort(401, "The token has been revoked.", error="token_revoked")


def _within_grace(session: Session) -> bool:
    grace = timedelta(seconds=float(current_app.config["REFRESH_GRACE_SECONDS"]))
    rotated_at = as_utc(session.last_refreshed_at)
    return rotated_at is not None and utcnow() - rotated_at <= grace


def _access_token(user: User, sid: str, fresh: bool) -> str:
    claims = {**role_claims(user), "sid": sid}
    return create_access_token(identity=str(user.id), fresh=fresh, additional_claims=claims)


def _refresh_token(user: User, sid: str) -> tuple[str, dict[str, Any]]:
    token = create_refresh_token(identity=str(user.id), additional_claims={"sid": sid})
    return token, decode_token(token)


def _reissue_current_refresh_token(user: User, session: Session) -> str:
    """The family's current refresh token again: same jti and expiry (iat = its rotation)."""
    issued_at = int(as_utc(session.last_refreshed_at).timestamp())
    claims = {
        "sid": session.id,
        "jti": session.refresh_jti,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": int(as_utc(session.expires_at).timestamp()),
    }
    return create_refresh_token(identity=str(user.id), additional_claims=claims)


def _lifetime(name: str) -> timedelta:
    value = current_app.config[name]
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def _latest(moment: datetime, timestamp: int) -> datetime:
    return max(as_utc(moment), datetime.fromtimestamp(timestamp, UTC))

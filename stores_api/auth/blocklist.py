"""Is a token's session still live? And revoking sessions.

The sessions table is the truth. Without REDIS_URL a token is checked with one indexed query;
with it, with one Redis round trip: revoked sessions are keys that expire when the session's
last token does. If Redis lost its data (a restart: it keeps nothing on disk), a missing
marker key says so and the revoked sessions are copied back from the database first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from stores_api.extensions import db
from stores_api.models import Session
from stores_api.models.session import as_utc
from stores_api.models.user import utcnow
from stores_api.redis_client import redis_client, redis_key

LOADED = "blocklist-loaded"


def token_is_live(claims: dict[str, Any]) -> bool:
    sid = claims.get("sid")
    if not sid:
        return False  # a token from before sessions existed: log in again
    client = redis_client()
    if client is None:
        return Session.token_is_live(sid, claims.get("sub"))
    loaded, revoked = client.mget(redis_key(LOADED), _revoked_key(sid))
    if loaded is None:
        _load_revoked_sessions(client)
        revoked = client.get(_revoked_key(sid))
    return revoked is None


def revoke_sessions(sessions: Iterable[Session]) -> int:
    """Revoke sessions (Redis first, so a failure there never leaves a revoked session usable
    through Redis); the caller commits."""
    now = utcnow()
    live = [session for session in sessions if session.revoked_at is None]
    client = redis_client()
    if client is not None and live:
        pipe = client.pipeline(transaction=False)
        for session in live:
            _mark_revoked(pipe, session)
        pipe.execute()
    for session in live:
        session.revoked_at = now
    return len(live)


def revoke_user_sessions(user_id: int, keep_sid: str | None = None) -> int:
    """Revoke every live session of a user (but keep_sid); the caller commits."""
    sessions = [s for s in Session.live_of_user(user_id) if s.id != keep_sid]
    return revoke_sessions(sessions)


def _revoked_key(sid: str) -> str:
    return redis_key("revoked-session", sid)


def _mark_revoked(pipe, session: Session) -> None:
    seconds = math.ceil((as_utc(session.expires_at) - utcnow()).total_seconds())
    if seconds > 0:
        pipe.set(_revoked_key(session.id), b"1", ex=seconds)


def _load_revoked_sessions(client) -> None:
    query = select(Session).where(Session.revoked_at.is_not(None), Session.expires_at > utcnow())
    pipe = client.pipeline(transaction=False)
    for session in db.session.scalars(query):
        _mark_revoked(pipe, session)
    pipe.set(redis_key(LOADED), b"1")
    pipe.execute()

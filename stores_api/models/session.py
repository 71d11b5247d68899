"""A session: one login and every token descended from it (its refresh-token family)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String, bindparam, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from stores_api import read_connection
from stores_api.extensions import db
from stores_api.models.names import is_valid_id
from stores_api.models.user import User, utcnow


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class Session(db.Model):
    __tablename__ = "sessions"

    # The `sid` claim of every token of this login.
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    # NULL once the user is deleted: the revoked row stays until its tokens expire, so Redis
    # can be refilled from it if it loses its data.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    # The family's current refresh token, and the one it replaced (for the retry grace).
    refresh_jti: Mapped[str | None] = mapped_column(String(64))
    previous_jti: Mapped[str | None] = mapped_column(String(64))
    # When the last token of the session expires; the row is pruned after that.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_live(self) -> bool:
        expires_at = as_utc(self.expires_at)
        return self.revoked_at is None and expires_at is not None and expires_at > utcnow()

    @classmethod
    def token_is_live(cls, sid: str | None, user_id: str | None) -> bool:
        """One indexed query: the session is not revoked and its user still exists."""
        try:
            uid = int(user_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if not sid or not is_valid_id(uid):
            return False
        # Every authenticated request runs this: a read connection, not the ORM session.
        return read_connection.first(_TOKEN_IS_LIVE, {"sid": sid, "uid": uid}) is not None

    @classmethod
    def find(cls, sid: str) -> Session | None:
        return db.session.get(cls, sid)

    @classmethod
    def live_of_user(cls, user_id: int) -> list[Session]:
        query = (
            select(cls)
            .where(cls.user_id == user_id, cls.revoked_at.is_(None), cls.expires_at > utcnow())
            .order_by(cls.created_at, cls.id)
        )
        return list(db.session.scalars(query))

    @classmethod
    def rotate(cls, sid: str, presented_jti: str, new_jti: str, expires_at: datetime) -> bool:
        """Move the family to new_jti if presented_jti is its current token; the database
        decides a race (one UPDATE wins). The caller commits."""
        now = utcnow()
        result = db.session.execute(
            update(cls)
            .where(cls.id == sid, cls.refresh_jti == presented_jti, cls.revoked_at.is_(None))
            .values(
                refresh_jti=new_jti,
                previous_jti=presented_jti,
                last_refreshed_at=now,
                expires_at=expires_at,
            )
        )
        return result.rowcount == 1

    @classmethod
    def prune_expired(cls) -> int:
        """Forget sessions whose every token has expired anyway; the caller commits."""
        return db.session.execute(delete(cls).where(cls.expires_at < utcnow())).rowcount


_TOKEN_IS_LIVE = (
    select(Session.id)
    .join(User, User.id == Session.user_id)
    .where(
        Session.id == bindparam("sid"),
        Session.user_id == bindparam("uid"),
        Session.revoked_at.is_(None),
    )
)

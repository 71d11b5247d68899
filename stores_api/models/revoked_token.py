"""The blocklist: revoked token ids with their expiry, shared by every worker and server."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from stores_api.extensions import db


class RevokedToken(db.Model):
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    @classmethod
    def revoke(cls, jti: str, expires_at: datetime) -> None:
        """Add jti to the blocklist (idempotent); the caller commits."""
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(
            insert(cls).values(jti=jti, expires_at=expires_at).on_conflict_do_nothing()
        )

    @classmethod
    def prune_expired(cls) -> int:
        """Forget entries whose token has expired anyway; the caller commits."""
        result = db.session.execute(delete(cls).where(cls.expires_at < datetime.now(UTC)))
        return result.rowcount

"""A user account: unique username, argon2id hash, and a role ("user" or "admin")."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, String, bindparam, exists, select
from sqlalchemy.orm import Mapped, mapped_column

from stores_api.extensions import db
from stores_api.models.names import is_valid_id
from stores_api.models.revoked_token import RevokedToken

ROLES = ("user", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(db.Model):
    __tablename__ = "users"
    # AUTOINCREMENT: SQLite never hands a deleted user's id to a new user (PostgreSQL's
    # sequences never do), so an old token can never come back to life.
    __table_args__ = (
        CheckConstraint("role IN ('user', 'admin')", name="role_known"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def find_by_id(cls, user_id: int) -> User | None:
        if not is_valid_id(user_id):
            return None
        return db.session.get(cls, user_id)

    @classmethod
    def find_by_username(cls, username: str) -> User | None:
        if "\x00" in username:  # no account has one, and PostgreSQL text cannot hold it
            return None
        return db.session.scalar(select(cls).where(cls.username == username))

    @classmethod
    def token_is_live(cls, user_id: str, jti: str) -> bool:
        """One indexed query: the token's user still exists and its jti is not revoked."""
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return False
        if not is_valid_id(uid):
            return False
        # Core on the session's connection with a prebuilt statement: this runs on every
        # authenticated request, and the ORM path costs several times more.
        found = db.session.connection().execute(_TOKEN_IS_LIVE, {"uid": uid, "jti": jti})
        return found.scalar() is not None


_TOKEN_IS_LIVE = select(User.id).where(
    User.id == bindparam("uid"), ~exists().where(RevokedToken.jti == bindparam("jti"))
)

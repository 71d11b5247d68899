"""A user account: unique username, argon2id hash, and a role ("user" or "admin")."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from stores_api.extensions import db
from stores_api.models.names import is_valid_id

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
    def page(cls, page: int, per_page: int) -> tuple[list[User], int]:
        """One page of users by id, and how many there are in all."""
        users = db.session.scalars(
            select(cls).order_by(cls.id).offset((page - 1) * per_page).limit(per_page)
        )
        total = db.session.scalar(select(func.count()).select_from(cls))
        return list(users), int(total or 0)

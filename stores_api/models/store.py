"""A store, which owns its items (deleting a store deletes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from stores_api.extensions import db
from stores_api.models.names import is_valid_name

if TYPE_CHECKING:
    from stores_api.models.item import Item


class Store(db.Model):
    __tablename__ = "stores"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    items: Mapped[list[Item]] = relationship(
        back_populates="store",
        order_by="Item.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @classmethod
    def find_by_name(cls, name: str) -> Store | None:
        if not is_valid_name(name):
            return None
        return db.session.scalar(
            select(cls).where(cls.name == name).options(selectinload(cls.items))
        )

    @classmethod
    def exists(cls, store_id: int) -> bool:
        return db.session.get(cls, store_id) is not None

    @classmethod
    def all_with_items(cls) -> list[Store]:
        """Every store with its items, in two queries however many there are."""
        return list(
            db.session.scalars(select(cls).order_by(cls.id).options(selectinload(cls.items)))
        )

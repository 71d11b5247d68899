"""An item: a unique name, an exact price, and the store it belongs to."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stores_api.extensions import db
from stores_api.models.names import is_valid_name

if TYPE_CHECKING:
    from stores_api.models.store import Store


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2, asdecimal=True))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    store: Mapped[Store] = relationship(back_populates="items")

    @classmethod
    def find_by_name(cls, name: str) -> Item | None:
        if not is_valid_name(name):
            return None
        return db.session.scalar(select(cls).where(cls.name == name))

    @classmethod
    def all(cls) -> list[Item]:
        return list(db.session.scalars(select(cls).order_by(cls.id)))

    @classmethod
    def names(cls) -> list[str]:
        return list(db.session.scalars(select(cls.name).order_by(cls.id)))

    @classmethod
    def update_by_name(cls, name: str, price: Decimal, store_id: int) -> Item | None:
        """One atomic UPDATE, so concurrent writers never lose each other's changes."""
        result = db.session.execute(
            update(cls).where(cls.name == name).values(price=price, store_id=store_id)
        )
        if result.rowcount == 0:
            return None
        return cls.find_by_name(name)

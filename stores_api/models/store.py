"""A store, which owns its items (deleting a store deletes them)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import String, bindparam, func, null, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from stores_api import read_connection
from stores_api.extensions import db
from stores_api.models.item import Item, item_columns, stream_rows
from stores_api.models.names import is_valid_name


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
    def rows_with_items(cls, offset: int = 0, limit: int | None = None) -> Iterator[tuple]:
        """Stores with their items, one row per item, in one statement however many there are.

        Rows are (store id, store name, total, item id, name, price, store_id), ordered by
        store, then item; a store without items has NULL item columns. total counts all stores
        when paging (limit set), else it is None; an empty page is one row of NULLs but total.
        """
        if limit is None:
            stores = select(cls.id, cls.name, null().label("total")).subquery("page")
            source = stores
        else:
            page = select(cls.id, cls.name).order_by(cls.id).limit(limit).offset(offset)
            page = page.subquery("page")
            counted = select(func.count().label("total")).select_from(cls).subquery("counted")
            stores = select(page.c.id, page.c.name, counted.c.total).select_from(
                counted.outerjoin(page, true())
            )
            stores = stores.subquery("stores")
            source = stores
        statement = (
            select(source.c.id, source.c.name, source.c.total, *item_columns())
            .select_from(source)
            .outerjoin(Item, Item.store_id == source.c.id)
            .order_by(source.c.id, Item.id)
        )
        return stream_rows(statement)

    @classmethod
    def one_with_items(cls, name: str) -> list[tuple]:
        """(store id, name, *item columns) rows for one store, as plain tuples: [] if there is
        no such store."""
        if not is_valid_name(name):
            return []
        return read_connection.all_rows(_ONE_WITH_ITEMS, {"name": name})


_ONE_WITH_ITEMS = (
    select(Store.id, Store.name, *item_columns())
    .outerjoin(Item, Item.store_id == Store.id)
    .where(Store.name == bindparam("name"))
    .order_by(Item.id)
)

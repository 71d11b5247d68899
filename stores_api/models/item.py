"""An item: a unique name, an exact price, and the store it belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Numeric,
    String,
    bindparam,
    cast,
    false,
    func,
    null,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stores_api import read_connection
from stores_api.extensions import db
from stores_api.models.names import is_valid_name

# Rows are turned into Python objects in chunks of this size, so a long list never exists as
# Python objects all at once: 1000 rows of a list of stores are about 0.4 MiB (1 MiB less peak
# per worker at 100 000 items than 2000). A visitor's row is one name, and on PostgreSQL each
# chunk is a FETCH round trip: those come 4000 at a time (2.6 ms less for 100 000 names).
STREAM_CHUNK = 1000
NAME_CHUNK = 4000

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
    def find_row(cls, name: str) -> tuple | None:
        """(id, name, price as float, store_id) of one item, without building an object."""
        if not is_valid_name(name):
            return None
        return read_connection.first(_BY_NAME, {"name": name})

    @classmethod
    def rows(cls, query: ItemQuery) -> Iterator[tuple]:
        """(id, name, price, store_id, total) of the matching items: one statement, streamed.

        total is the number of matching items for a page (None for the whole list). An empty
        page still yields one row, all NULL but the total.
        """
        return stream_rows(query.statement(item_columns()))

    @classmethod
    def name_rows(cls, query: ItemQuery) -> Iterator[tuple]:
        """(name, total) of the matching items: what visitors see."""
        return stream_rows(query.statement((cls.name,)), NAME_CHUNK)

    @classmethod
    def update_by_name(cls, name: str, price: Decimal, store_id: int) -> Item | None:
        """One atomic UPDATE, so concurrent writers never lose each other's changes."""
        result = db.session.execute(
            update(cls).where(cls.name == name).values(price=price, store_id=store_id)
        )
        if result.rowcount == 0:
            return None
        return cls.find_by_name(name)


def item_columns() -> tuple:
    """An item as the API shows it; prices as floats (Numeric(10, 2) fits a float exactly)."""
    return (Item.id, Item.name, cast(Item.price, Float).label("price"), Item.store_id)


_BY_NAME = select(*item_columns()).where(Item.name == bindparam("name"))


@dataclass(frozen=True)
class ItemQuery:
    """Filters, order and page of an item list; hashable, so it can key a cache."""

    store_id: int | None = None
    name_prefix: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: str = "id"
    offset: int = 0
    limit: int | None = None

    def where(self, statement):
        if self.store_id is not None:
            statement = statement.where(Item.store_id == self.store_id)
        if self.name_prefix and not is_valid_name(self.name_prefix):
            # No name holds "/" or control characters (PostgreSQL text cannot even hold NUL).
            statement = statement.where(false())
        elif self.name_prefix:
            # substr, not LIKE: case-sensitive and wildcard-free on SQLite and PostgreSQL alike.
            prefix = func.substr(Item.name, 1, len(self.name_prefix))
            statement = statement.where(prefix == self.name_prefix)
        if self.min_price is not None:
            statement = statement.where(Item.price >= self.min_price)
        if self.max_price is not None:
            statement = statement.where(Item.price <= self.max_price)
        return statement

    def order(self, columns) -> list:
        key = self.sort.lstrip("-")
        column = columns[key]
        first = column.desc() if self.sort.startswith("-") else column.asc()
        return [first] if key == "id" else [first, columns["id"].asc()]

    def statement(self, columns: tuple):
        """SELECT columns + total of the matching items, in order, paged if limit is set."""
        matching = self.where(select(*columns))
        if self.limit is None:
            return matching.add_columns(null().label("total")).order_by(
                *self.order(Item.__table__.c)
            )
        page = (
            matching.add_columns(Item.id.label("_id"), Item.price.label("_price"))
            .order_by(*self.order(Item.__table__.c))
            .limit(self.limit)
            .offset(self.offset)
            .subquery("page")
        )
        counted = self.where(select(func.count().label("total")).select_from(Item)).subquery()
        ordering = {"id": page.c._id, "name": page.c.name, "price": page.c._price}
        shown = [page.c[column.name] for column in columns]
        # The count is the outer side of the join: an empty page still brings the total.
        return (
            select(*shown, counted.c.total)
            .select_from(counted)
            .outerjoin(page, true())
            .order_by(*self.order(ordering))
        )


def stream_rows(statement, chunk: int = STREAM_CHUNK) -> Iterator[tuple]:
    """Plain tuples of a Core statement, fetched in chunks straight from the DBAPI cursor.

    Every column a list shows is already what the JSON needs (int, str, float), so SQLAlchemy's
    per-row result processing is skipped: it costs three times the query itself at 100 000
    rows. On PostgreSQL the cursor is server-side (stream_results), so the client never holds
    the whole result; SQLite's cursor steps through the result by itself.
    """
    connection = db.session.connection()
    streamed = connection.dialect.name == "postgresql"
    result = connection.execute(statement.execution_options(stream_results=streamed))
    try:
        # A streamed result has read a first row ahead of the cursor into its buffer.
        yield from getattr(result.cursor_strategy, "_rowbuffer", ())
        while rows := result.cursor.fetchmany(chunk):
            yield from rows
    finally:
        result.close()

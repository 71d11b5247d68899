"""Demo data for `stores-api seed-demo`: stores and items with fixed names, inserted in bulk.

Names are deterministic (demo-store-0001, demo-item-0001-00001, ...) and every insert skips rows
whose name exists (INSERT ... ON CONFLICT DO NOTHING), so running it again adds only what is
missing and never fails or duplicates. Each batch is one multi-row INSERT in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from stores_api.extensions import db
from stores_api.models import Item, Store

BATCH_SIZE = 1000


@dataclass
class SeedResult:
    stores_added: int = 0
    items_added: int = 0
    stores_total: int = 0
    items_total: int = 0


def store_name(number: int) -> str:
    return f"demo-store-{number:04d}"


def item_name(store_number: int, number: int) -> str:
    return f"demo-item-{store_number:04d}-{number:05d}"


def item_price(store_number: int, number: int) -> Decimal:
    """A fixed, varied price from 0.99 to 99.98."""
    return Decimal((store_number * 7919 + number * 104729) % 9900 + 99) / 100


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _insert_missing(model, rows: list[dict[str, Any]]) -> int:
    """INSERT rows in one batch, skipping any whose unique name exists; the number inserted."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(model.__table__).on_conflict_do_nothing().returning(model.__table__.c.id)
    # A list of rows runs as executemany, which SQLAlchemy sends as multi-row INSERTs.
    return len(db.session.connection().execute(statement, rows).all())


def seed(
    stores: int,
    items_per_store: int,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda _n: None,
) -> SeedResult:
    """Make sure demo stores 1..stores exist, each with demo items 1..items_per_store."""
    result = SeedResult(stores_total=stores, items_total=stores * items_per_store)
    names = (store_name(n) for n in range(1, stores + 1))
    for batch in _batches(({"name": name} for name in names), batch_size):
        result.stores_added += _insert_missing(Store, batch)
        db.session.commit()
        progress(len(batch))

    for store_batch in _batches(iter(range(1, stores + 1)), max(1, batch_size // 10)):
        ids = dict(
            db.session.execute(
                select(Store.name, Store.id).where(
                    Store.name.in_([store_name(n) for n in store_batch])
                )
            ).all()
        )
        rows = (
            {
                "name": item_name(s, n),
                "price": item_price(s, n),
                "store_id": ids[store_name(s)],
            }
            for s in store_batch
            for n in range(1, items_per_store + 1)
        )
        for batch in _batches(rows, batch_size):
            result.items_added += _insert_missing(Item, batch)
            db.session.commit()
            progress(len(batch))
    return result

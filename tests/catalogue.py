"""Bulk catalogue data for the list tests: stores and items inserted in one transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert

from stores_api.extensions import db
from stores_api.models import DataVersion, Item, Store


def seed_catalogue(app, stores: int, items: int, first: int = 0) -> None:
    """Stores s0000.. with items s0000-i0000..; prices 1.00, 1.25, ... by position."""
    with app.app_context():
        for s in range(first, first + stores):
            store_id = db.session.execute(
                insert(Store).values(name=f"s{s:04d}").returning(Store.id)
            ).scalar_one()
            rows = [
                {
                    "name": f"s{s:04d}-i{i:04d}",
                    "price": Decimal(100 + 25 * i) / 100,
                    "store_id": store_id,
                }
                for i in range(items)
            ]
            if rows:
                db.session.execute(insert(Item), rows)
        DataVersion.bump()
        db.session.commit()

"""Seed S stores x I items fast (bulk SQL in one transaction) into DATABASE_URL's database.

python bench/seed.py --stores 100 --items 50 [--prefix lb]
Names follow loadbench.py: <prefix>-s0007 and <prefix>-s0007-i0012. Existing stores and items
are replaced; the data version is bumped like any write. Run `stores-api db upgrade` first.
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal

from sqlalchemy import delete, insert

from stores_api import create_app
from stores_api.extensions import db
from stores_api.models import DataVersion, Item, Store

BATCH = 10_000


def seed(stores: int, items: int, prefix: str) -> None:
    db.session.execute(delete(Item))
    db.session.execute(delete(Store))
    DataVersion.bump()
    store_rows = [{"id": s + 1, "name": f"{prefix}-s{s:04d}"} for s in range(stores)]
    db.session.execute(insert(Store), store_rows)
    batch = []
    for s in range(stores):
        for i in range(items):
            price = Decimal((s * items + i) % 100_000) / 100 + 1
            batch.append({"name": f"{prefix}-s{s:04d}-i{i:04d}", "price": price, "store_id": s + 1})
            if len(batch) == BATCH:
                db.session.execute(insert(Item), batch)
                batch = []
    if batch:
        db.session.execute(insert(Item), batch)
    if db.engine.dialect.name == "postgresql":
        # Explicit ids above: move the sequences on, and give the planner fresh statistics.
        db.session.execute(db.text("SELECT setval('stores_id_seq', (SELECT max(id) FROM stores))"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE stores, items"))
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--prefix", default="lb")
    args = parser.parse_args()
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        seed(args.stores, args.items, args.prefix)
        db.engine.dispose()
    took = time.perf_counter() - started
    print(f"seeded {args.stores} x {args.items} in {took:.1f} s")


if __name__ == "__main__":
    main()

"""Stores: {id, name, items: [...]}, and their fast encoding from joined rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields

from stores_api.jsonio import Pieces, dumps_bytes
from stores_api.schemas.item import ItemSchema, item_dict


class StoreSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    items = fields.List(fields.Nested(ItemSchema), dump_only=True)


class StoreListSchema(Schema):
    stores = fields.List(fields.Nested(StoreSchema))


def _store_dict(store_id: int, name: str, item_rows: Iterable[Any]) -> dict[str, Any]:
    # A store without items comes as one row of NULL item columns (the outer join).
    items = [item_dict(row) for row in item_rows if row[0] is not None]
    return {"id": store_id, "name": name, "items": items}


def encode_store(rows: list[Any]) -> bytes:
    """One store from Store.one_with_items() rows: (store id, name, *item columns)."""
    store_id, name = rows[0][0], rows[0][1]
    return dumps_bytes(_store_dict(store_id, name, (row[2:] for row in rows)))


def encode_store_list(rows: Iterable[Any]) -> tuple[tuple[bytes, ...], int | None]:
    """{"stores": [...]} from Store.rows_with_items() rows, one store at a time; and the total.

    A plain loop rather than groupby and slices: this runs once per row of the whole catalogue.
    """
    out = Pieces()
    out.write(b'{"stores":[')
    separator = b""
    total = None
    store: dict[str, Any] | None = None
    items: list[dict[str, Any]] = []
    append = items.append
    for store_id, name, total, item_id, item_name, price, item_store_id in rows:  # noqa: B007
        if store is None or store_id != store["id"]:
            if store is not None:
                out.write(separator)
                out.write(dumps_bytes(store))
                separator = b","
            if store_id is None:  # an empty page: only the total
                store = None
                continue
            items = []
            append = items.append
            store = {"id": store_id, "name": name, "items": items}
        if item_id is not None:
            append({"id": item_id, "name": item_name, "price": price, "store_id": item_store_id})
    if store is not None:
        out.write(separator)
        out.write(dumps_bytes(store))
    out.write(b"]}")
    return out.getvalue(), total

"""Items: the course's {id, name, price, store_id}, their list queries, and their fast encoding."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from marshmallow import Schema, fields, validate

from stores_api.jsonio import Pieces, dumps_bytes
from stores_api.models.names import MAX_ID
from stores_api.pagination import PageQuerySchema
from stores_api.schemas.common import MAX_PRICE, Money

VISITOR_MESSAGE = "More data available if you log in."
SORTS = ("id", "-id", "name", "-name", "price", "-price")
# Rows are encoded in slices of this many, so a long list never exists as Python dicts at once
# (with STREAM_CHUNK, what a worker's memory peaks with beyond the bodies it keeps).
ENCODE_CHUNK = 500


class ItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    price = Money(required=True, metadata={"type": "number", "example": 12.99})
    store_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ID))


class ItemListSchema(Schema):
    items = fields.List(fields.Nested(ItemSchema), required=True)


class ItemNamesSchema(Schema):
    """What a visitor sees; both fields required, so the two shapes of GET /items never overlap."""

    items = fields.List(fields.String(), required=True)
    message = fields.String(required=True)


class ItemQuerySchema(PageQuerySchema):
    """GET /items: filters and order; every one optional."""

    store_id = fields.Integer(
        validate=validate.Range(1, MAX_ID), metadata={"description": "Only this store's items"}
    )
    name_prefix = fields.String(
        validate=validate.Length(1, 80),
        metadata={"description": "Only items whose name starts with this (case-sensitive)"},
    )
    min_price = fields.Decimal(
        validate=validate.Range(0, MAX_PRICE), metadata={"description": "Lowest price, inclusive"}
    )
    max_price = fields.Decimal(
        validate=validate.Range(0, MAX_PRICE), metadata={"description": "Highest price, inclusive"}
    )
    # No documented default: Swagger UI would then send ?sort=id on every "Try it out".
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        metadata={"description": "Order: id (when absent), name or price; '-' reverses it"},
    )


def item_dict(row: Any) -> dict[str, Any]:
    return {"id": row[0], "name": row[1], "price": row[2], "store_id": row[3]}


def encode_item(row: Any) -> bytes:
    return dumps_bytes(item_dict(row))


def encode_array(values: Iterable[Any], out: Pieces) -> None:
    """Write a JSON array of values to out, slice by slice (bounded memory for long lists)."""
    values = iter(values)
    separator = b"["
    while chunk := list(islice(values, ENCODE_CHUNK)):
        out.write(separator)
        out.write(memoryview(dumps_bytes(chunk))[1:-1])
        separator = b","
    out.write(b"[]" if separator == b"[" else b"]")


def _counted(rows: Iterable[Any], counter: list[int], index: int) -> Iterator[Any]:
    for row in rows:
        counter[0] = row[index]
        yield row


def encode_item_list(rows: Iterable[Any]) -> tuple[tuple[bytes, ...], int | None]:
    """{"items": [...]} from (id, name, price, store_id, total) rows; and the total."""
    total = [None]
    items = (item_dict(row) for row in _counted(rows, total, 4) if row[0] is not None)
    out = Pieces()
    out.write(b'{"items":')
    encode_array(items, out)
    out.write(b"}")
    return out.getvalue(), total[0]


def encode_item_names(rows: Iterable[Any]) -> tuple[tuple[bytes, ...], int | None]:
    """The visitors' {"items": [names], "message"} from (name, total) rows; and the total."""
    total = [None]
    names = (row[0] for row in _counted(rows, total, 1) if row[0] is not None)
    out = Pieces()
    out.write(b'{"items":')
    encode_array(names, out)
    out.write(b',"message":' + dumps_bytes(VISITOR_MESSAGE) + b"}")
    return out.getvalue(), total[0]

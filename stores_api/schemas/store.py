"""Stores: {id, name, items: [...]}."""

from marshmallow import Schema, fields

from stores_api.schemas.item import ItemSchema


class StoreSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    items = fields.List(fields.Nested(ItemSchema), dump_only=True)


class StoreListSchema(Schema):
    stores = fields.List(fields.Nested(StoreSchema))

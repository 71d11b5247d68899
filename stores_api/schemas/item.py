"""Items: the course's {id, name, price, store_id}."""

from marshmallow import Schema, fields, validate

from stores_api.models.names import MAX_ID
from stores_api.schemas.common import Money


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

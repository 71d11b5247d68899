"""/item/<name> and /items."""

from __future__ import annotations

from decimal import Decimal

from flask.views import MethodView
from flask_jwt_extended import get_jwt_identity, jwt_required
from sqlalchemy.exc import IntegrityError

from stores_api import cache
from stores_api.auth.access import admin_required
from stores_api.errors import abort, is_foreign_key_violation
from stores_api.extensions import db
from stores_api.models import Item, Store
from stores_api.models.item import ItemQuery
from stores_api.models.names import is_valid_name
from stores_api.pagination import PAGE_HEADERS, Page
from stores_api.resources.docs import BEARER, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.item import (
    ItemListSchema,
    ItemNamesSchema,
    ItemQuerySchema,
    ItemSchema,
    encode_item,
    encode_item_list,
    encode_item_names,
)

blp = Blueprint("items", __name__, description="Items, each in one store")

NO_STORE = {"json": {"store_id": ["No store has this id."]}}


def _checked_write(name: str, store_id: int) -> None:
    if not is_valid_name(name):
        abort(422, "An item name has 1-80 characters and no '/' or control characters.")
    if not Store.exists(store_id):
        abort(422, "store_id names no store.", error="store_not_found", errors=NO_STORE)


def _commit_new(item: Item) -> bool:
    """Insert item; False if the name was taken meanwhile. A vanished store is a 422."""
    db.session.add(item)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if is_foreign_key_violation(exc):
            abort(422, "store_id names no store.", error="store_not_found", errors=NO_STORE)
        return False
    return True


@blp.route("/item/<string:name>")
class ItemResource(MethodView):
    @jwt_required()
    @blp.response(200, ItemSchema)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is current.")
    @blp.errors(401, 404)
    @blp.doc(security=BEARER)
    def get(self, name: str):
        """Get an item (logged-in users)"""
        row = Item.find_row(name)
        if row is None:
            abort(404, f"Item '{name}' not found.", error="item_not_found")
        return cache.send(cache.Prepared.of(encode_item(row)), private=True)

    @jwt_required(fresh=True)
    @blp.arguments(ItemSchema)
    @blp.response(201, ItemSchema)
    @blp.errors(400, 401, 409, 415, 422)
    @blp.doc(security=BEARER)
    def post(self, data: dict, name: str):
        """Create an item (needs a fresh token)"""
        _checked_write(name, data["store_id"])
        item = Item(name=name, **data)
        if not _commit_new(item):
            abort(409, f"An item with name '{name}' already exists.", error="item_exists")
        return item

    @jwt_required()
    @blp.arguments(ItemSchema)
    @blp.response(200, ItemSchema, description="The item was updated.")
    @blp.alt_response(201, schema=ItemSchema, description="The item was created.")
    @blp.errors(400, 401, 415, 422)
    @blp.doc(security=BEARER)
    def put(self, data: dict, name: str):
        """Create or update an item (logged-in users)"""
        _checked_write(name, data["store_id"])
        item = _update(name, data["price"], data["store_id"])
        if item is not None:
            return item
        item = Item(name=name, **data)
        if _commit_new(item):
            return item, 201
        # Another request created it between our UPDATE and INSERT: ours is now an update.
        return _update(name, data["price"], data["store_id"])

    @admin_required
    @blp.response(200, MessageSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def delete(self, name: str):
        """Delete an item (admins)"""
        item = Item.find_by_name(name)
        if item is None:
            abort(404, f"Item '{name}' not found.", error="item_not_found")
        db.session.delete(item)
        db.session.commit()
        return {"message": "Item deleted."}


def _update(name: str, price: Decimal, store_id: int) -> Item | None:
    try:
        item = Item.update_by_name(name, price, store_id)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if is_foreign_key_violation(exc):
            abort(422, "store_id names no store.", error="store_not_found", errors=NO_STORE)
        raise
    return item


# The 200 answer has two shapes: full items for a logged-in user, names for a visitor.
VISITOR_OR_USER_LIST = {
    "200": {
        "description": "Logged in: every item. Visitors: names and a message.",
        "headers": PAGE_HEADERS,
        "content": {"application/json": {"schema": {"oneOf": [ItemListSchema, ItemNamesSchema]}}},
    }
}


@blp.route("/items")
class ItemList(MethodView):
    @jwt_required(optional=True)
    @blp.arguments(ItemQuerySchema, location="query")
    @blp.response(
        200,
        ItemListSchema,
        headers=PAGE_HEADERS,
        description="Logged in: the items. Visitors: their names and a message.",
    )
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is current.")
    @blp.errors(401, 422)
    @blp.doc(security=[{}, *BEARER], responses=VISITOR_OR_USER_LIST)
    def get(self, args: dict):
        """List items: full for logged-in users, names only for visitors

        Optional: filter (store_id, name_prefix, min_price, max_price), sort, and page
        (page, per_page; the total in X-Total-Count, the other pages in Link).
        """
        page = Page.from_args(args)
        query = ItemQuery(
            store_id=args.get("store_id"),
            name_prefix=args.get("name_prefix"),
            min_price=args.get("min_price"),
            max_price=args.get("max_price"),
            sort=args.get("sort", "id"),
            offset=page.offset if page else 0,
            limit=page.size if page else None,
        )
        logged_in = get_jwt_identity() is not None
        encode = encode_item_list if logged_in else encode_item_names
        rows = Item.rows if logged_in else Item.name_rows

        entry = cache.prepared(("items", logged_in, query), lambda: encode(rows(query)))
        headers = {"Vary": "Authorization"}
        if page is not None:
            headers.update(page.headers(entry.total))
        return cache.send(entry, private=logged_in, headers=headers)

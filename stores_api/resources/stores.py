"""/store/<name> and /stores."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy.exc import IntegrityError

from stores_api import cache
from stores_api.auth.access import admin_required
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import Store
from stores_api.models.names import is_valid_name
from stores_api.pagination import PAGE_HEADERS, Page, PageQuerySchema
from stores_api.resources.docs import BEARER, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.store import (
    StoreListSchema,
    StoreSchema,
    encode_store,
    encode_store_list,
)

blp = Blueprint("stores", __name__, description="Stores and the items they hold")


def _found(name: str) -> Store:
    store = Store.find_by_name(name)
    if store is None:
        abort(404, f"Store '{name}' not found.", error="store_not_found")
    return store


def _encoded_store(name: str) -> tuple[bytes, None] | None:
    rows = Store.one_with_items(name)
    return (encode_store(rows), None) if rows else None


@blp.route("/store/<string:name>")
class StoreResource(MethodView):
    @blp.response(200, StoreSchema)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is current.")
    @blp.errors(404)
    def get(self, name: str):
        """Get a store with its items"""
        entry = cache.prepared(("store", name), lambda: _encoded_store(name))
        if entry is None:
            abort(404, f"Store '{name}' not found.", error="store_not_found")
        return cache.send(entry)

    @jwt_required()
    @blp.response(201, StoreSchema)
    @blp.errors(401, 409, 422)
    @blp.doc(security=BEARER)
    def post(self, name: str):
        """Create a store (logged-in users)"""
        if not is_valid_name(name):
            abort(422, "A store name has 1-80 characters and no '/' or control characters.")
        store = Store(name=name)
        db.session.add(store)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            abort(409, f"A store with name '{name}' already exists.", error="store_exists")
        return store

    @admin_required
    @blp.response(200, MessageSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def delete(self, name: str):
        """Delete a store and its items (admins)"""
        db.session.delete(_found(name))
        db.session.commit()
        return {"message": "Store deleted."}


@blp.route("/stores")
class StoreList(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, StoreListSchema, headers=PAGE_HEADERS)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is current.")
    @blp.errors(422)
    def get(self, args: dict):
        """List every store with its items

        Optional: one page of stores (page, per_page; the total in X-Total-Count, the other
        pages in Link).
        """
        page = Page.from_args(args)
        if page is None:
            entry = cache.prepared("stores", lambda: encode_store_list(Store.rows_with_items()))
            return cache.send(entry)
        entry = cache.prepared(
            ("stores", page),
            lambda: encode_store_list(Store.rows_with_items(page.offset, page.size)),
        )
        return cache.send(entry, headers=page.headers(entry.total))

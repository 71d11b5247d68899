"""Prepared list bodies, ETags and 304s — and never a stale read, on any worker or server."""

import pytest

from tests.catalogue import seed_catalogue
from tests.conftest import make_app, prepare_database
from tests.helpers import Api

LISTS = ["/stores", "/items", "/stores?page=1&per_page=2", "/items?page=2&per_page=3"]


@pytest.mark.parametrize("path", [*LISTS, "/store/s0001"])
def test_reads_carry_an_etag_and_ask_clients_to_revalidate(api, app, user, path):
    seed_catalogue(app, 3, 4)
    response = api.get(path, token=user["access"])
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", [*LISTS, "/store/s0001", "/item/s0001-i0002"])
def test_a_current_if_none_match_is_answered_304_without_a_body(api, app, user, path):
    seed_catalogue(app, 3, 4)
    etag = api.get(path, token=user["access"]).headers["ETag"]
    response = api.get(path, token=user["access"], headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag


def test_a_stale_if_none_match_gets_the_new_body(api, app, user, store):
    etag = api.get("/stores").headers["ETag"]
    api.create_item("chair", user["access"], store["id"])
    response = api.get("/stores", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert response.get_json()["stores"][0]["items"][0]["name"] == "chair"


def test_logged_in_and_visitor_item_lists_are_kept_apart(api, app, user):
    seed_catalogue(app, 1, 2)
    full = api.get("/items", token=user["access"])
    names = api.get("/items")
    assert full.get_json()["items"][0]["name"] == "s0000-i0000"
    assert names.get_json()["items"] == ["s0000-i0000", "s0000-i0001"]
    assert full.headers["ETag"] != names.headers["ETag"]
    assert full.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in names.headers["Vary"]


# Every kind of write, each read back through warmed lists on the same app.
def _create(api, user, store):
    api.create_item("new", user["access"], store["id"], 3)


def _update(api, user, store):
    api.put("/item/s0000-i0000", token=user["access"], json={"price": 42, "store_id": store["id"]})


def _delete_item(api, admin, _store):
    api.delete("/item/s0000-i0001", token=admin["access"])


def _delete_store(api, admin, _store):
    api.delete("/store/s0000", token=admin["access"])


@pytest.mark.parametrize(
    ("write", "who"),
    [(_create, "user"), (_update, "user"), (_delete_item, "admin"), (_delete_store, "admin")],
)
def test_every_write_is_visible_to_the_next_read(api, app, user, admin, write, who):
    seed_catalogue(app, 1, 2)
    store = api.post("/store/target", token=user["access"]).get_json()
    before = {path: api.get(path, token=user["access"]).get_data() for path in LISTS}
    write(api, user if who == "user" else admin, store)
    after = {path: api.get(path, token=user["access"]).get_data() for path in LISTS}
    assert after["/stores"] != before["/stores"]
    assert after["/items"] != before["/items"]
    assert after["/stores"] == _uncached(app, "/stores")
    assert after["/items"] == _uncached(app, "/items", user["access"])


def _uncached(app, path, token=None):
    """The body a brand-new app (empty cache) answers on the same database."""
    fresh = Api(make_app(app.config["SQLALCHEMY_DATABASE_URI"]).test_client())
    return fresh.get(path, token=token).get_data()


def test_a_write_on_one_server_is_visible_on_another_at_once(database_url):
    """Two app instances share only the database, like two app servers (or two workers)."""
    first = make_app(database_url)
    prepare_database(first)
    second = make_app(database_url)
    a, b = Api(first.test_client()), Api(second.test_client())
    user = a.new_user("alice")
    store = a.post("/store/main", token=user["access"]).get_json()
    assert b.get("/stores").get_json()["stores"][0]["items"] == []  # b's cache is warm
    assert b.get("/items", token=user["access"]).get_json() == {"items": []}
    a.create_item("chair", user["access"], store["id"], 5)
    assert [i["name"] for i in b.get("/stores").get_json()["stores"][0]["items"]] == ["chair"]
    assert b.get("/items", token=user["access"]).get_json()["items"][0]["price"] == 5
    a.put("/item/chair", token=user["access"], json={"price": 6, "store_id": store["id"]})
    assert b.get("/items", token=user["access"]).get_json()["items"][0]["price"] == 6


def test_revocation_is_immediate_even_for_a_prepared_list(api, app, user):
    seed_catalogue(app, 1, 2)
    assert api.get("/items", token=user["access"]).status_code == 200
    api.post("/logout", token=user["access"])
    response = api.get("/items", token=user["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_the_cache_drops_old_bodies_beyond_its_byte_limit(database_url):
    app = make_app(database_url, RESPONSE_CACHE_MAX_BYTES=2000)
    prepare_database(app)
    seed_catalogue(app, 4, 5)
    api = Api(app.test_client())
    bodies = [api.get(f"/stores?page={n}&per_page=1").get_data() for n in (1, 2, 3, 4)]
    assert all(bodies)
    cache = app.extensions["stores_api.response_cache"]
    assert cache.size <= 2000
    assert api.get("/stores?page=1&per_page=1").get_data() == bodies[0]


def test_seed_demo_bulk_inserts_are_visible_to_the_next_read(api, app):
    assert api.get("/stores").get_json() == {"stores": []}
    result = app.test_cli_runner().invoke(args=["seed-demo", "--stores", "2", "--items", "3"])
    assert result.exit_code == 0, result.output
    assert len(api.get("/stores").get_json()["stores"]) == 2


def test_a_store_page_shows_a_change_to_its_items_at_once(api, app, user):
    seed_catalogue(app, 1, 2)
    store_id = api.get("/store/s0000").get_json()["id"]
    assert api.get("/store/s0000").get_json()["items"][0]["price"] != 42
    api.put("/item/s0000-i0000", token=user["access"], json={"price": 42, "store_id": store_id})
    assert api.get("/store/s0000").get_json()["items"][0]["price"] == 42


def test_a_store_that_was_not_found_is_found_once_it_exists(api, user):
    assert api.get("/store/late").status_code == 404
    api.post("/store/late", token=user["access"])
    assert api.get("/store/late").get_json()["name"] == "late"

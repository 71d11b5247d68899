"""Races are decided by the database: one 201, 409 for the rest, no 500s."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from tests.helpers import PASSWORD

WRITERS = 8


def race(app, send) -> Counter:
    barrier = Barrier(WRITERS)

    def one(_):
        client = app.test_client()
        barrier.wait()
        return send(client).status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        return Counter(pool.map(one, range(WRITERS)))


def test_concurrent_registrations_of_one_username_create_one_user(app):
    body = {"username": "alice", "password": PASSWORD}
    statuses = race(app, lambda c: c.post("/register", json=body))
    assert statuses == Counter({201: 1, 409: WRITERS - 1})


def test_concurrent_creates_of_one_store_create_one_store(app, user):
    headers = {"Authorization": f"Bearer {user['access']}"}
    statuses = race(app, lambda c: c.post("/store/same", headers=headers))
    assert statuses == Counter({201: 1, 409: WRITERS - 1})


def test_concurrent_creates_of_one_item_create_one_item(app, user, store):
    headers = {"Authorization": f"Bearer {user['access']}"}
    body = {"price": 1.5, "store_id": store["id"]}
    statuses = race(app, lambda c: c.post("/item/same", headers=headers, json=body))
    assert statuses == Counter({201: 1, 409: WRITERS - 1})


def test_concurrent_puts_of_a_new_item_create_it_once(app, user, store):
    headers = {"Authorization": f"Bearer {user['access']}"}
    body = {"price": 2, "store_id": store["id"]}
    statuses = race(app, lambda c: c.put("/item/same", headers=headers, json=body))
    assert statuses == Counter({201: 1, 200: WRITERS - 1})
    items = app.test_client().get("/items", headers=headers).get_json()["items"]
    assert [i["name"] for i in items] == ["same"]

"""Many writers at once, on SQLite and PostgreSQL: no 5xx, no duplicates, no lost updates,
and a logout racing with the use of its token never lets a later request through."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from tests.helpers import PASSWORD, Api
from tests.security.figures import record

WRITERS = 16


def race(app, send, writers: int = WRITERS) -> list:
    """Run send(client, i) in `writers` threads released at once; the responses in order."""
    barrier = Barrier(writers)

    def one(i):
        client = app.test_client()
        barrier.wait()
        return send(client, i)

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(one, range(writers)))


def statuses(responses) -> Counter:
    return Counter(r.status_code for r in responses)


def test_parallel_writers_of_distinct_rows_all_succeed(cheap_app, cheap_api):
    alice = cheap_api.new_user("alice")
    auth = {"Authorization": f"Bearer {alice['access']}"}
    responses = race(cheap_app, lambda c, i: c.post(f"/store/store-{i}", headers=auth))
    record("concurrent_writers", WRITERS, add=False)
    assert statuses(responses) == Counter({201: WRITERS})
    names = [s["name"] for s in cheap_api.get("/stores").get_json()["stores"]]
    assert sorted(names) == sorted(f"store-{i}" for i in range(WRITERS))


def test_parallel_registrations_of_one_name_create_one_account(cheap_app, cheap_api):
    body = {"username": "same", "password": PASSWORD}
    responses = race(cheap_app, lambda c, i: c.post("/register", json=body))
    assert statuses(responses) == Counter({201: 1, 409: WRITERS - 1})


def test_parallel_puts_of_one_item_lose_no_update(cheap_app, cheap_api):
    """Each writer sets its own price; the final price is one of them, and every write counted."""
    alice = cheap_api.new_user("alice")
    auth = {"Authorization": f"Bearer {alice['access']}"}
    store = cheap_api.post("/store/s", token=alice["access"]).get_json()
    prices = [round(1 + i / 100, 2) for i in range(WRITERS)]
    responses = race(
        cheap_app,
        lambda c, i: c.put(
            "/item/contested", headers=auth, json={"price": prices[i], "store_id": store["id"]}
        ),
    )
    assert statuses(responses) == Counter({201: 1, 200: WRITERS - 1})
    items = cheap_api.get("/items", token=alice["access"]).get_json()["items"]
    assert len(items) == 1
    final = items[0]["price"]
    # The last committed write wins: the stored price is the answer of some writer...
    assert final in prices
    # ...and no response claims a state that was silently overwritten before it committed.
    assert all(r.get_json()["price"] in prices for r in responses)


def test_parallel_item_creates_in_one_store_make_no_duplicates(cheap_app, cheap_api):
    alice = cheap_api.new_user("alice")
    auth = {"Authorization": f"Bearer {alice['access']}"}
    store = cheap_api.post("/store/s", token=alice["access"]).get_json()
    body = {"price": 1, "store_id": store["id"]}
    responses = race(cheap_app, lambda c, i: c.post(f"/item/item-{i % 4}", headers=auth, json=body))
    assert statuses(responses) == Counter({201: 4, 409: WRITERS - 4})
    items = cheap_api.get("/items", token=alice["access"]).get_json()["items"]
    assert sorted(i["name"] for i in items) == [f"item-{n}" for n in range(4)]


def test_logout_racing_with_use_of_the_token_never_lets_a_later_request_through(
    cheap_app, cheap_api
):
    alice = cheap_api.new_user("alice")
    auth = {"Authorization": f"Bearer {alice['access']}"}

    def send(client, i):
        if i == 0:
            return client.post("/logout", headers=auth)
        return client.post(f"/store/race-{i}", headers=auth)

    responses = race(cheap_app, send)
    assert responses[0].status_code == 200
    assert set(statuses(responses[1:])) <= {201, 401}
    # Once the logout has answered, the token is dead everywhere.
    after = Api(cheap_app.test_client()).post("/store/after", token=alice["access"])
    assert after.status_code == 401
    assert after.get_json()["error"] == "token_revoked"
    for response in responses[1:]:
        if response.status_code == 401:
            assert response.get_json()["error"] == "token_revoked"

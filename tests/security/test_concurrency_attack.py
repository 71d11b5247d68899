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
    record("concurrent_writers_in_process", WRITERS, add=False)
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


def test_parallel_writers_in_several_uwsgi_processes_on_sqlite_get_no_5xx(tmp_path):
    """Four worker processes share one SQLite file: WAL, a busy timeout and BEGIN IMMEDIATE
    make writers wait for each other instead of failing with "database is locked"."""
    import http.client
    import json
    from urllib.parse import urlsplit

    from tests.security.conftest import uwsgi_server

    def call(base, method, path, body=None, token=None):
        url = urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()

    writers = 32
    with uwsgi_server(tmp_path, processes=4, threads=4) as base:
        account = {"username": "alice", "password": PASSWORD}
        assert call(base, "POST", "/register", account)[0] == 201
        token = call(base, "POST", "/login", account)[1]["access_token"]
        status, store = call(base, "POST", "/store/s", token=token)
        assert status == 201
        barrier = Barrier(writers)

        def write(i):
            barrier.wait()
            item = {"price": 1 + i, "store_id": store["id"]}
            kind = i % 4
            if kind == 0:
                return call(base, "POST", f"/item/item-{i}", item, token)[0]
            if kind == 1:
                return call(base, "PUT", "/item/shared", item, token)[0]
            if kind == 2:
                return call(base, "POST", f"/store/store-{i}", token=token)[0]
            return call(base, "POST", "/register", {"username": f"u{i}", "password": PASSWORD})[0]

        with ThreadPoolExecutor(writers) as pool:
            results = Counter(pool.map(write, range(writers)))
        record("concurrent_writers_uwsgi_sqlite", writers, add=False)
        assert all(status < 500 for status in results), results
        status, items = call(base, "GET", "/items", token=token)
        names = [item["name"] for item in items["items"]]
        assert len(names) == len(set(names)) == writers // 4 + 1

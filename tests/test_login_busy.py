"""Password hashing runs in a bounded pool per process: a request that has to hash and finds
every slot taken and the waiting room full (or waits past the bound) is 503 login_busy with
Retry-After, and the other requests are served meanwhile."""

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from stores_api.auth.passwords import hashing_slot
from tests.conftest import make_app, prepare_database
from tests.helpers import PASSWORD, Api


def app_with_one_slot(database_url: str, wait_seconds: float):
    app = make_app(
        database_url,
        ARGON2_MAX_CONCURRENT=1,
        ARGON2_MAX_WAITING=1,
        ARGON2_MAX_WAIT_SECONDS=wait_seconds,
    )
    prepare_database(app)
    Api(app.test_client()).register("alice")
    return app


@pytest.fixture
def impatient_app(database_url):
    """One hashing slot and no wait for it: a request that finds it taken gives up at once."""
    return app_with_one_slot(database_url, 0)


@pytest.fixture
def patient_app(database_url):
    """One hashing slot, one request may wait for it, for long."""
    return app_with_one_slot(database_url, 60)


@contextmanager
def slot_held(app) -> Iterator[None]:
    """Takes the app's only hashing slot, as a login in progress on another thread would."""
    with app.app_context(), hashing_slot():
        yield


@pytest.fixture
def executor():
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def start_waiting_login(app, executor) -> Future:
    """A login on another thread, returned once it is blocked waiting for the hashing slot."""
    future = executor.submit(login, Api(app.test_client()))
    deadline = time.monotonic() + 30
    while app.extensions["password_hashing"].waiting == 0:
        assert not future.done(), future.result().get_json()
        assert time.monotonic() < deadline, "the login never waited for the slot"
        time.sleep(0.01)
    return future


def login(api, username="alice", password=PASSWORD):
    return api.post("/login", json={"username": username, "password": password})


def change_password(api):
    user = api.login_user({"username": "alice", "password": PASSWORD})
    body = {"old_password": PASSWORD, "new_password": "another long passphrase"}
    return lambda: api.put(f"/user/{user['id']}/password", token=user["access"], json=body)


HASHING_REQUESTS = {
    "login": lambda api: lambda: login(api),
    "login of an unknown user": lambda api: lambda: login(api, "nobody"),
    "first-edition auth": lambda api: (
        lambda: api.post("/auth", json={"username": "alice", "password": PASSWORD})
    ),
    "register": lambda api: (
        lambda: api.post("/register", json={"username": "carol", "password": PASSWORD})
    ),
    "password change": change_password,
}


@pytest.mark.parametrize("prepare", HASHING_REQUESTS.values(), ids=HASHING_REQUESTS.keys())
def test_a_request_that_hashes_while_every_slot_is_taken_is_503_login_busy(impatient_app, prepare):
    send = prepare(Api(impatient_app.test_client()))
    with slot_held(impatient_app):
        response = send()
    body = response.get_json()
    assert response.status_code == 503
    assert set(body) == {"code", "status", "message", "error"}
    assert (body["code"], body["error"]) == (503, "login_busy")


def test_login_busy_answer_says_when_to_retry(impatient_app):
    with slot_held(impatient_app):
        response = login(Api(impatient_app.test_client()))
    assert int(response.headers["Retry-After"]) >= 1


def test_a_login_is_served_again_once_the_slot_is_free(impatient_app):
    api = Api(impatient_app.test_client())
    with slot_held(impatient_app):
        assert login(api).status_code == 503
    assert login(api).status_code == 200


def test_reads_are_served_while_a_login_waits_for_the_hashing_slot(patient_app, executor):
    api = Api(patient_app.test_client())
    with slot_held(patient_app):
        start_waiting_login(patient_app, executor)
        response = api.get("/stores")
    assert response.status_code == 200


def test_a_waiting_login_proceeds_when_the_slot_frees(patient_app, executor):
    with slot_held(patient_app):
        waiting = start_waiting_login(patient_app, executor)
    assert waiting.result(timeout=60).status_code == 200


def test_a_login_is_turned_away_at_once_when_another_already_waits(patient_app, executor):
    with slot_held(patient_app):
        start_waiting_login(patient_app, executor)
        second = executor.submit(login, Api(patient_app.test_client()))
        # Were it waiting too, it would still be waiting when this gives up.
        response = second.result(timeout=30)
    assert (response.status_code, response.get_json()["error"]) == (503, "login_busy")


@pytest.mark.skipif(sys.platform != "linux", reason="a nice value per thread is Linux's")
def test_passwords_are_hashed_at_a_lower_cpu_priority_than_requests(api):
    api.register("alice")
    hashing = [thread for thread in threading.enumerate() if thread.name.startswith("argon2")]
    request_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert hashing
    for thread in hashing:
        assert os.getpriority(os.PRIO_PROCESS, thread.native_id) > request_nice

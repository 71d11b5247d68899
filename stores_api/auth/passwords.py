"""argon2id password hashing, a bounded number at once per process; unknown users cost the same
time as wrong passwords."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from stores_api.errors import abort

_hashers: dict[tuple[int, int, int], PasswordHasher] = {}


class HashingSlots:
    """At most `size` argon2 computations at once; a caller waits for a free slot, blocked (no
    CPU), and gives up after a bounded wait. `waiting` counts the callers blocked right now."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._changed = threading.Condition()
        self.waiting = 0

    def acquire(self, timeout: float) -> bool:
        with self._changed:
            self.waiting += 1
            try:
                got_one = self._changed.wait_for(lambda: self._free > 0, timeout)
            finally:
                self.waiting -= 1
            if got_one:
                self._free -= 1
            return got_one

    def release(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify()


def init_password_hashing(app: Flask) -> None:
    """Give this app (in each worker process) its ARGON2_MAX_CONCURRENT hashing slots."""
    app.extensions["password_hashing"] = HashingSlots(int(app.config["ARGON2_MAX_CONCURRENT"]))


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold one of the process's hashing slots, or answer 503 login_busy after the wait.

    Each argon2 computation keeps a core busy for tens of milliseconds with the GIL released,
    so unbounded, a flood of logins on every thread of every worker starves the other requests
    of CPU. Bounded, the rest of a worker's threads keep serving them.
    """
    slots: HashingSlots = current_app.extensions["password_hashing"]
    if not slots.acquire(timeout=float(current_app.config["ARGON2_MAX_WAIT_SECONDS"])):
        abort(
            503,
            "Too many logins at once; try again shortly.",
            error="login_busy",
            headers={"Retry-After": "1"},
        )
    try:
        yield
    finally:
        slots.release()


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


def hash_password(password: str) -> str:
    with hashing_slot():
        return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when password matches; with no hash (unknown user) a dummy is verified instead."""
    hasher = _hasher()
    with hashing_slot():
        if password_hash is None:
            _verify_dummy(hasher, password)
            return False
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


_dummy_hashes: dict[int, str] = {}


def _verify_dummy(hasher: PasswordHasher, password: str) -> None:
    dummy = _dummy_hashes.get(id(hasher))
    if dummy is None:
        dummy = _dummy_hashes[id(hasher)] = hasher.hash("not the password of anyone")
    try:
        hasher.verify(dummy, password)
    except VerificationError:
        pass

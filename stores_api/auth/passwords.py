"""argon2id password hashing in a bounded pool per process, at a low CPU priority; unknown
users cost the same time as wrong passwords."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from stores_api.errors import abort

# The hashing threads' nice value: a request thread (nice 0) gets about ten times their CPU
# share, so reads stay fast during a login flood, and logins still progress under read load.
HASHING_NICE = 10

_hashers: dict[tuple[int, int, int], PasswordHasher] = {}
_threads: dict[tuple[int, int], ThreadPoolExecutor] = {}
_threads_lock = threading.Lock()


class HashingSlots:
    """At most `size` argon2 computations at once and `max_waiting` callers waiting for one,
    blocked (no CPU) for a bounded time. `waiting` counts the callers blocked right now."""

    def __init__(self, size: int, max_waiting: int) -> None:
        self._free = size
        self._max_waiting = max_waiting
        self._changed = threading.Condition()
        self.waiting = 0

    def acquire(self, timeout: float) -> bool:
        with self._changed:
            if self._free == 0 and self.waiting >= self._max_waiting:
                return False
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
    """This app's hashing slots (in each worker process): ARGON2_MAX_CONCURRENT and
    ARGON2_MAX_WAITING."""
    app.extensions["password_hashing"] = HashingSlots(
        int(app.config["ARGON2_MAX_CONCURRENT"]), int(app.config["ARGON2_MAX_WAITING"])
    )


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold one of the process's hashing slots, or answer 503 login_busy.

    Each argon2 computation keeps a core busy for tens of milliseconds with the GIL released.
    Unbounded, a flood of logins takes every thread of every worker, and both cores: the other
    requests wait for a thread and then for the CPU. Bounded, a login that finds the slots
    taken and the waiting room full is turned away at once, and the rest of a worker's
    threads keep serving.
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


def _lower_priority() -> None:
    if sys.platform == "linux":  # a nice value per thread is Linux's, not POSIX's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


def _compute(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a hashing slot, on one of this process's low-priority hashing threads."""
    size = int(current_app.config["ARGON2_MAX_CONCURRENT"])
    key = (os.getpid(), size)  # a forked worker starts threads of its own
    with hashing_slot():
        with _threads_lock:
            if key not in _threads:
                _threads[key] = ThreadPoolExecutor(size, "argon2", initializer=_lower_priority)
            threads = _threads[key]
        return threads.submit(fn, *args).result()


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


def hash_password(password: str) -> str:
    return _compute(_hasher().hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when password matches; with no hash (unknown user) a dummy is verified instead."""
    return _compute(_verify, _hasher(), password_hash, password)


def _verify(hasher: PasswordHasher, password_hash: str | None, password: str) -> bool:
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

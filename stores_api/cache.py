"""Prepared response bytes, reused while the shared data version has not moved; ETags and 304s.

Each worker keeps the bodies it has built, tagged with the data version (models/data_version.py)
read at the start of the request. A request reads the version (one primary-key lookup) and
serves the prepared bytes when they were built for it; any write anywhere bumps the version in
its own transaction, so the very next read on every worker and server rebuilds. There is no
time-based expiry: nothing is served that the database would not answer at that moment.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Response, current_app, request

from stores_api.models import DataVersion

EXTENSION = "stores_api.response_cache"
MIMETYPE = "application/json"
BUILD_STRIPES = 16


@dataclass(frozen=True)
class Prepared:
    """A response body ready to send (bytes, or a long list's pieces: jsonio.Pieces), its
    entity tag (unquoted), its length and, for a page, the total."""

    body: bytes | tuple[bytes, ...]
    etag: str
    size: int
    total: int | None = None

    @classmethod
    def of(cls, body: bytes | tuple[bytes, ...], total: int | None = None) -> Prepared:
        pieces = (body,) if isinstance(body, bytes) else body
        digest = hashlib.blake2b(digest_size=16)
        for piece in pieces:
            digest.update(piece)
        return cls(body, digest.hexdigest(), sum(map(len, pieces)), total)


class ResponseCache:
    """Bodies for one data version, least recently used dropped beyond max_bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._version: int | None = None
        self._entries: OrderedDict[Hashable, Prepared] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        # Striped locks, so the number of locks stays fixed however many keys there are.
        self._building = [threading.Lock() for _ in range(BUILD_STRIPES)]

    @property
    def size(self) -> int:
        """Bytes of body held."""
        return self._size

    def get(self, key: Hashable, version: int) -> Prepared | None:
        with self._lock:
            if self._version is None or version > self._version:
                # Stale bodies can never be served again: free their memory before rebuilding.
                self._entries.clear()
                self._size = 0
                self._version = version
                return None
            if version != self._version:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, version: int, entry: Prepared) -> None:
        size = entry.size
        with self._lock:
            if self._version is not None and version < self._version:
                return  # built from an older snapshot than what we already hold
            if version != self._version:
                self._entries.clear()
                self._size = 0
                self._version = version
            if size > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old.size
            while self._entries and self._size + size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= dropped.size
            self._entries[key] = entry
            self._size += size

    def builder_lock(self, key: Hashable) -> threading.Lock:
        """One lock per key: the threads of a worker build a body once, not once each."""
        return self._building[hash(key) % BUILD_STRIPES]


def _cache() -> ResponseCache:
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        cache = ResponseCache(int(current_app.config["RESPONSE_CACHE_MAX_BYTES"]))
        current_app.extensions[EXTENSION] = cache
    return cache


def prepared(
    key: Hashable, build: Callable[[], tuple[bytes, int | None] | None]
) -> Prepared | None:
    """The body for key at the current data version: reused, or built by build() and kept.

    build() returns (body, total) — total is the whole list's length for a page, else None —
    or None when there is nothing to show (a 404): that is not kept, so unknown names cost no
    memory.

    The version is read before the data, so a body is never tagged newer than what it shows.
    """
    version = DataVersion.current()
    cache = _cache()
    entry = cache.get(key, version)
    if entry is not None:
        return entry
    with cache.builder_lock(key):
        # Another thread of this worker may have built it while we waited.
        entry = cache.get(key, version)
        if entry is None:
            built = build()
            if built is None:
                return None
            entry = Prepared.of(*built)
            cache.put(key, version, entry)
    return entry


def send(entry: Prepared, *, private: bool = False, headers: dict | None = None) -> Response:
    """200 with the body, or 304 when If-None-Match names its ETag; clients must revalidate."""
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(entry.etag):
        response = Response(status=304)
    else:
        response = Response(entry.body, mimetype=MIMETYPE)
        response.content_length = entry.size  # Werkzeug counts only a bytes body itself
    response.headers["ETag"] = f'"{entry.etag}"'
    if private:
        # The body depends on the token: shared caches must not keep it, clients revalidate.
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Vary"] = "Authorization"
    else:
        response.headers["Cache-Control"] = "no-cache"
    if headers:
        response.headers.update(headers)
    return response

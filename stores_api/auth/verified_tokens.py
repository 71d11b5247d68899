"""A JWTManager that remembers which tokens it has verified, so a token is decoded and its
signature checked once per worker rather than on every request.

PyJWT decodes a token four times per request under flask-jwt-extended (claims and header
unverified, then verified) and checks every character of each segment in Python: ~0.2 ms, more
than the rest of a read. The outcome of that check cannot change for the same bytes and the same
key, so each app keeps the claims of the tokens it verified, keyed by the exact token string.
What can change is still checked on every request: expiry (a cached token past its `exp` is
decoded again, so it fails exactly as flask-jwt-extended fails it) and revocation (the
blocklist loader runs on every request, cached token or not; stores_api/auth/access.py).

After verifying a token, flask-jwt-extended reads its header once more through
view_decorators.get_unverified_jwt_headers, which makes PyJWT decode all three segments again
(a sixth of a cached request's time). That one function is replaced, at import, by one that
answers the cached header of a verified token and calls the original for anything else; the
pinned version is covered by the whole test suite (tests/security/test_auth_matrix.py included).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt as pyjwt
from flask import current_app
from flask_jwt_extended import JWTManager
from flask_jwt_extended import view_decorators as jwt_views

EXTENSION = "stores_api.verified_tokens"
# Per worker and app: ~1 KiB each, so at most ~1 MiB; the oldest is dropped first.
MAX_TOKENS = 1024


class VerifiedTokenCache(JWTManager):
    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value=None, allow_expired: bool = False
    ) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        verified = _verified()
        entry = verified.get(encoded_token)
        if entry is not None and _unexpired(entry[0]):
            return dict(entry[0])
        claims = super()._decode_jwt_from_config(encoded_token)
        if len(verified) >= MAX_TOKENS:
            verified.pop(next(iter(verified), None), None)
        verified[encoded_token] = (dict(claims), pyjwt.get_unverified_header(encoded_token))
        return claims


def _verified() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """This app's verified tokens: token -> (claims, header)."""
    return current_app.extensions.setdefault(EXTENSION, {})


_read_header = jwt_views.get_unverified_jwt_headers


def _header(encoded_token: str) -> dict[str, Any]:
    entry = _verified().get(encoded_token)
    return dict(entry[1]) if entry is not None else _read_header(encoded_token)


jwt_views.get_unverified_jwt_headers = _header


def _unexpired(claims: dict[str, Any]) -> bool:
    """PyJWT's own expiry rule (exp <= now - leeway is expired), for a token it accepted."""
    exp = claims.get("exp")
    if exp is None:
        return True
    leeway = current_app.config.get("JWT_DECODE_LEEWAY", 0)
    if isinstance(leeway, timedelta):
        leeway = leeway.total_seconds()
    return exp > time.time() - leeway

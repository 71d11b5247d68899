"""A JWTManager that remembers which tokens it has verified, so a token's signature is checked
once per worker rather than on every request.

PyJWT decodes a token four times per request under flask-jwt-extended (claims and header
unverified, then verified) and checks every character of each segment in Python: ~0.2 ms, more
than the rest of a read. The outcome of that check cannot change for the same bytes and the same
key, so each app keeps the claims of the tokens it verified, keyed by the exact token string.
What can change is still checked on every request: expiry (a cached token past its `exp` is
decoded again, so it fails exactly as flask-jwt-extended fails it) and revocation (the
blocklist loader runs on every request, cached token or not; stores_api/auth/access.py).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import JWTManager

EXTENSION = "stores_api.verified_tokens"
# Per worker and app: ~1 KiB each, so at most ~1 MiB; the oldest is dropped first.
MAX_TOKENS = 1024


class VerifiedTokenCache(JWTManager):
    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value=None, allow_expired: bool = False
    ) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        verified: dict[str, dict[str, Any]] = current_app.extensions.setdefault(EXTENSION, {})
        claims = verified.get(encoded_token)
        if claims is not None and _unexpired(claims):
            return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token)
        if len(verified) >= MAX_TOKENS:
            verified.pop(next(iter(verified), None), None)
        verified[encoded_token] = dict(claims)
        return claims


def _unexpired(claims: dict[str, Any]) -> bool:
    """PyJWT's own expiry rule (exp <= now - leeway is expired), for a token it accepted."""
    exp = claims.get("exp")
    if exp is None:
        return True
    leeway = current_app.config.get("JWT_DECODE_LEEWAY", 0)
    if isinstance(leeway, timedelta):
        leeway = leeway.total_seconds()
    return exp > time.time() - leeway

"""Test helpers that speak HTTP to the app, plus token crafting for the token-state tests."""

from __future__ import annotations

import base64
import json
from typing import Any

PASSWORD = "correct horse battery"


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


class Api:
    """A thin wrapper over the Flask test client: JSON bodies and bearer tokens."""

    def __init__(self, client):
        self.client = client

    def request(self, method: str, path: str, token: str | None = None, **kwargs: Any):
        headers = {**bearer(token), **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any):
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)

    def register(self, username: str, password: str = PASSWORD) -> dict:
        response = self.post("/register", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_json()
        return {"username": username, "password": password}

    def login_user(self, account: dict) -> dict:
        response = self.post(
            "/login", json={"username": account["username"], "password": account["password"]}
        )
        assert response.status_code == 200, response.get_json()
        tokens = response.get_json()
        subject = json.loads(_b64decode(tokens["access_token"].split(".")[1]))["sub"]
        return {
            **account,
            "id": int(subject),
            "access": tokens["access_token"],
            "refresh": tokens["refresh_token"],
        }

    def new_user(self, username: str) -> dict:
        return self.login_user(self.register(username))

    def refreshed_access(self, user: dict) -> str:
        """A non-fresh access token; user["refresh"] becomes the rotated refresh token."""
        response = self.post("/refresh", token=user["refresh"])
        assert response.status_code == 200, response.get_json()
        user["refresh"] = response.get_json()["refresh_token"]
        return response.get_json()["access_token"]

    def create_item(self, name: str, token: str, store_id: int, price: Any = 9.99):
        return self.post(f"/item/{name}", token=token, json={"price": price, "store_id": store_id})


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decode_claims(token: str) -> dict:
    return json.loads(_b64decode(token.split(".")[1]))


def unsigned_token(claims: dict) -> str:
    """The same claims with alg "none" and no signature."""
    header = _b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64encode(json.dumps(claims).encode())}."

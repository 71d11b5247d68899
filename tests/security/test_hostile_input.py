"""Hostile requests through a real server (uwsgi, as deployed): each a 4xx JSON answer, in time.

The Flask test client skips the HTTP parsing a real server does (chunked bodies, header
sizes, the raw path), so these go over a socket to uwsgi on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.helpers import PASSWORD

TIMEOUT = 15  # seconds; a hang fails the test instead of the suite


def send(base: str, method: str, path: str, body: bytes | None = None, headers=None):
    """One request on a new connection: (status, headers, parsed JSON body)."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None
    finally:
        conn.close()


@pytest.fixture(scope="module")
def token(real_server) -> str:
    body = json.dumps({"username": "hostile-tester", "password": PASSWORD}).encode()
    json_headers = {"Content-Type": "application/json"}
    status, _, _ = send(real_server, "POST", "/register", body, json_headers)
    assert status == 201
    status, _, tokens = send(real_server, "POST", "/login", body, json_headers)
    assert status == 200
    return tokens["access_token"]


def auth(token: str, content_type: str = "application/json") -> dict:
    return {"Authorization": f"Bearer {token}", "Content-Type": content_type}


def assert_json_4xx(status: int, headers, body, expected: int | None = None) -> None:
    assert 400 <= status < 500, (status, body)
    if expected is not None:
        assert status == expected, body
    assert headers["Content-Type"].startswith("application/json")
    assert body["code"] == status and body["message"]


def test_deeply_nested_json_is_400(real_server):
    body = b"[" * 300_000 + b"]" * 300_000
    status, headers, answer = send(
        real_server, "POST", "/register", body, {"Content-Type": "application/json"}
    )
    assert_json_4xx(status, headers, answer, 400)


def test_deeply_nested_objects_are_400(real_server):
    body = b'{"a":' * 150_000 + b"1" + b"}" * 150_000  # under the 1 MiB limit
    status, headers, answer = send(
        real_server, "POST", "/login", body, {"Content-Type": "application/json"}
    )
    assert_json_4xx(status, headers, answer, 400)


@pytest.mark.parametrize(
    "price",
    [b"1e400", b"-1e400", b"1" + b"0" * 5000, b"9" * 400 + b".5", b"1e-400", b"NaN", b"Infinity"],
)
def test_huge_or_special_numbers_are_refused(real_server, token, price):
    body = b'{"price": ' + price + b', "store_id": 1}'
    status, headers, answer = send(real_server, "PUT", "/item/number", body, auth(token))
    assert_json_4xx(status, headers, answer)
    assert status in (400, 422)


@pytest.mark.parametrize("store_id", [b"18446744073709551617", b"1" + b"0" * 40, b"-9" * 20])
def test_store_ids_past_64_bits_are_422(real_server, token, store_id):
    body = b'{"price": 1, "store_id": ' + store_id + b"}"
    status, headers, answer = send(real_server, "PUT", "/item/big-id", body, auth(token))
    assert_json_4xx(status, headers, answer)


@pytest.mark.parametrize("user_id", ["18446744073709551617", "9" * 100, "2147483648"])
def test_user_ids_past_64_bits_are_4xx(real_server, token, user_id):
    status, headers, answer = send(real_server, "GET", f"/user/{user_id}", None, auth(token))
    assert_json_4xx(status, headers, answer)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/item/a%00b"),
        ("GET", "/store/a%00b"),
        ("POST", "/store/a%00b"),
        ("PUT", "/item/a%00b"),
        ("DELETE", "/item/a%00b"),
    ],
)
def test_nul_bytes_in_paths_are_4xx(real_server, token, method, path):
    body = b'{"price": 1, "store_id": 1}' if method == "PUT" else None
    status, headers, answer = send(real_server, method, path, body, auth(token))
    assert_json_4xx(status, headers, answer)


@pytest.mark.parametrize(("method", "prefix"), [("GET", "/item/"), ("POST", "/store/")])
def test_ten_thousand_character_names_are_4xx(real_server, token, method, prefix):
    status, headers, answer = send(real_server, method, prefix + "n" * 10_000, None, auth(token))
    assert_json_4xx(status, headers, answer)


def test_nul_byte_in_a_login_name_is_401(real_server):
    body = json.dumps({"username": "a\x00b", "password": "whatever1"}).encode()
    status, headers, answer = send(
        real_server, "POST", "/login", body, {"Content-Type": "application/json"}
    )
    assert_json_4xx(status, headers, answer, 401)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"username": "x", "password": "yyyyyyyyy"}'),
        ("application/x-www-form-urlencoded", b"username=x&password=yyyyyyyyy"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        ),
    ],
)
def test_non_json_bodies_are_415(real_server, content_type, body):
    headers = {"Content-Type": content_type}
    status, headers, answer = send(real_server, "POST", "/register", body, headers)
    assert_json_4xx(status, headers, answer, 415)


def raw_exchange(base: str, head: bytes, chunks) -> tuple[int, dict]:
    """Send a request by hand, stopping if the server stops reading; its status and JSON."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and stopped reading: that is allowed
        raw = b""
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            raw += data
            if b"\r\n\r\n" in raw and raw.rstrip().endswith(b"}"):
                break
    head_part, _, body = raw.partition(b"\r\n\r\n")
    assert raw, "no answer"
    status = int(head_part.split(b" ", 2)[1])
    assert b"application/json" in head_part.lower(), raw[:300]
    return status, json.loads(body[body.index(b"{") :])


def test_body_over_the_limit_is_413(real_server):
    size = 2 * 1024 * 1024
    head = (
        b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size
    )
    status, answer = raw_exchange(real_server, head, (b"a" * 65536 for _ in range(size // 65536)))
    assert status == 413
    assert answer["code"] == 413


def test_chunked_upload_over_the_limit_is_a_4xx_json_answer(real_server):
    """A chunked body has no Content-Length: it must never be read past the limit.

    uwsgi's http-socket does not de-chunk, so the app sees no body at all (400 invalid_json);
    a server that de-chunks hands it over length-limited (413). Either way: 4xx JSON, no hang.
    """
    head = (
        b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"a" * 65536
    body = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 40 + [b"0\r\n\r\n"]  # 2.5 MiB
    status, answer = raw_exchange(real_server, head, body)
    assert status in (400, 411, 413)
    assert answer["code"] == status

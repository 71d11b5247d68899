"""Swagger UI at /docs in a real browser (Debian's Chromium driven by Playwright): it shows every
operation, loads nothing from outside our server, and "Try it out" on GET /items with a token
from /login gets the logged-in answer. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.live_server import REPO, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
# Headless on a closed network: no sandbox as root, and none of Chromium's own calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "a long passphrase"
METHODS = {"get", "post", "put", "delete", "patch"}


def post_json(url: str, body: dict) -> dict:
    """POST to our live server (http://127.0.0.1:<port>, never a file URL)."""
    data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data, headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser")).start()
    server.cli("seed-demo", "--stores", "2", "--items", "3")
    post_json(server.url + "/register", {"username": "browser-user", "password": PASSWORD})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Chromium is missing: run `make system-deps`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def docs(server, browser):
    """The /docs page once loaded, with every URL the browser asked for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock-summary-path")
    yield page, requested
    context.close()


def spec_operations(server) -> set[tuple[str, str]]:
    with urllib.request.urlopen(server.url + "/openapi.json", timeout=10) as response:  # noqa: S310
        spec = json.loads(response.read())
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }


def test_the_docs_page_shows_every_operation(server, docs):
    page, _ = docs
    shown = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == spec_operations(server)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-page.png"))


def test_the_docs_page_loads_only_from_our_server(server, docs):
    _, requested = docs
    assert requested
    outside = [url for url in requested if not url.startswith(server.url + "/")]
    assert outside == []


def test_try_it_out_on_get_items_with_a_login_token_gets_full_items(server, docs):
    page, _ = docs
    token = post_json(server.url + "/login", {"username": "browser-user", "password": PASSWORD})[
        "access_token"
    ]
    page.get_by_role("button", name="Authorize").first.click()
    modal = page.locator(".modal-ux")
    modal.locator("input").first.fill(token)
    modal.get_by_role("button", name="Authorize", exact=True).click()
    modal.get_by_role("button", name="Close").click()

    operation = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/items"]')
    )
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: r.url == server.url + "/items") as answer:
        operation.get_by_role("button", name="Execute").click()
    response = answer.value
    assert response.request.headers.get("authorization") == f"Bearer {token}"
    assert response.status == 200

    shown = operation.locator(".live-responses-table .response-col_description pre").first
    shown.wait_for()
    items = json.loads(shown.inner_text())["items"]
    assert len(items) == 6
    assert set(items[0]) == {"id", "name", "price", "store_id"}
    assert "message" not in json.loads(shown.inner_text())
    operation.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "docs-get-items.png"))

"""The course's own Postman collection, run by newman against a real server: every request gets
the status in EXPECTATIONS.md, nothing answers 5xx, every body is JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.compat.newman import Report, run_newman
from tests.live_server import REPO, LiveServer

HERE = Path(__file__).parent
COURSE_COLLECTION = REPO.parent / "shared" / "compat" / "course-section11.postman_collection.json"
ENVIRONMENT = HERE / "course.postman_environment.json"
EXPECTATIONS = HERE / "EXPECTATIONS.md"
RUNS = ["shipped", "course-password-rule", "logged-in"]


def expected_statuses() -> dict[str, list[tuple[str, int]]]:
    """{run: [(request name, our status), ...]} from the tables in EXPECTATIONS.md."""
    runs: dict[str, list[tuple[str, int]]] = {}
    current = None
    for line in EXPECTATIONS.read_text().splitlines():
        heading = re.match(r"## Run `([^`]+)`", line)
        if heading:
            current = runs.setdefault(heading.group(1), [])
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if current is not None and len(cells) == 4 and cells[2].isdigit():
            current.append((cells[0], int(cells[2])))
    return runs


def course_requests() -> list[str]:
    collection = json.loads(COURSE_COLLECTION.read_text())

    def names(items):
        for item in items:
            yield from names(item["item"]) if "item" in item else [item["name"]]

    return list(names(collection["item"]))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Report]:
    assert COURSE_COLLECTION.exists(), f"the course's collection is not at {COURSE_COLLECTION}"
    reports = {}
    workdir = tmp_path_factory.mktemp("shipped")
    server = LiveServer(workdir).start()
    try:
        reports["shipped"] = newman(server)
    finally:
        server.stop()
    reports["shipped"].server_log = server.log_path.read_text()

    workdir = tmp_path_factory.mktemp("course-rule")
    server = LiveServer(workdir, FLASK_PASSWORD_MIN_LENGTH="4").start()
    try:
        reports["course-password-rule"] = newman(server)
        server.cli("seed-demo", "--stores", "1", "--items", "0")
        server.cli("create-admin", "jose")
        reports["logged-in"] = newman(server, ["login", "items", "stores"])
    finally:
        server.stop()
    return reports


def newman(server: LiveServer, folders: list[str] = ()) -> Report:
    values = {"server_address": server.url, "local_flask": server.url}
    return run_newman(COURSE_COLLECTION, ENVIRONMENT, values, server.workdir, folders)


def test_the_expectations_cover_every_request_of_the_collection():
    expected = expected_statuses()
    assert list(expected) == RUNS
    assert [name for name, _ in expected["shipped"]] == course_requests()
    assert [name for name, _ in expected["course-password-rule"]] == course_requests()


@pytest.mark.parametrize("run", RUNS)
def test_every_request_gets_the_expected_status(reports, run):
    got = [(execution.name, execution.status) for execution in reports[run].executions]
    assert got == expected_statuses()[run]


@pytest.mark.parametrize("run", RUNS)
def test_no_request_gets_a_5xx(reports, run):
    assert all(execution.status < 500 for execution in reports[run].executions)


@pytest.mark.parametrize("run", RUNS)
def test_every_body_is_json(reports, run):
    for execution in reports[run].executions:
        assert execution.content_type.startswith("application/json"), execution.name
        assert isinstance(execution.json(), dict), execution.name


def test_the_logged_in_run_gets_full_items_with_the_token_login_stored(reports):
    executions = {execution.name: execution for execution in reports["logged-in"].executions}
    login = executions["login"].json()
    sent = executions["get all items"].request_headers["authorization"]
    assert sent == f"Bearer {login['access_token']}"
    assert executions["post item/name"].json() == {
        "id": 1,
        "name": "chair",
        "price": 12.99,
        "store_id": 1,
    }


def test_the_server_logged_one_json_line_per_request(reports):
    report = reports["shipped"]
    lines = [json.loads(line) for line in report.server_log.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "stores_api.access"]
    assert [(line["method"], line["status"]) for line in access] == [
        (execution.method, execution.status) for execution in report.executions
    ]
    assert all(len(line["request_id"]) == 32 for line in access)
    assert " - - [" not in report.server_log  # the dev server's own access lines are dropped

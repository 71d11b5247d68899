"""Bad input gets a clear JSON error with the right status — never HTML, never a 500."""

import pytest


def test_unknown_url_is_404_json(api):
    response = api.get("/nowhere")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["status"] == "Not Found"
    assert response.get_json()["message"]


def test_unsupported_method_is_405_json_with_allow(api):
    response = api.request("PATCH", "/stores")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(api):
    response = api.post("/register", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_json"


def test_deeply_nested_json_is_400(api):
    body = "[" * 200_000 + "]" * 200_000
    response = api.post("/register", data=body, content_type="application/json")
    assert response.status_code == 400


def test_non_object_json_body_is_422(api):
    response = api.post("/register", json=["alice", "password"])
    assert response.status_code == 422


def test_text_plain_body_is_415(api):
    response = api.post("/register", data="username=alice", content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_media_type"


def test_form_body_is_415(api):
    response = api.post("/register", data={"username": "alice", "password": "x" * 10})
    assert response.status_code == 415


def test_missing_body_is_422(api):
    response = api.post("/register")
    assert response.status_code == 422


def test_body_over_one_mebibyte_is_413(api):
    body = '{"username": "' + "a" * (1024 * 1024) + '"}'
    response = api.post("/register", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


def test_validation_errors_name_each_field(api):
    response = api.post("/register", json={"username": "a"})
    body = response.get_json()
    assert body["code"] == 422
    assert body["status"] == "Unprocessable Entity"
    assert body["message"]
    assert set(body["errors"]["json"]) == {"username", "password"}


@pytest.mark.parametrize(
    "path", ["/item/a%00b", "/store/a%00b", "/user/0", "/user/-1", "/item/" + "n" * 10000]
)
def test_hostile_paths_are_4xx_json(api, admin, path):
    response = api.get(path, token=admin["access"])
    assert 400 <= response.status_code < 500
    assert response.is_json


def test_database_down_is_503_json_with_retry_after(database_url):
    from tests.conftest import make_app

    if database_url.startswith("sqlite"):
        broken = "sqlite:////nonexistent-dir/x/stores.db"
    else:
        broken = "postgresql://postgres@127.0.0.1:1/stores"
    app = make_app(broken)
    response = app.test_client().get("/stores")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"] == "database_unavailable"


def test_database_down_on_a_rate_limited_route_keeps_its_retry_after(database_url):
    # Flask-Limiter must not stretch the 503's Retry-After to the end of a limit's window.
    from tests.conftest import make_app

    if database_url.startswith("sqlite"):
        broken = "sqlite:////nonexistent-dir/x/stores.db"
    else:
        broken = "postgresql://postgres@127.0.0.1:1/stores"
    app = make_app(broken, DB_RETRY_AFTER=5)
    response = app.test_client().post("/login", json={"username": "alice", "password": "x" * 8})
    assert (response.status_code, response.headers["Retry-After"]) == (503, "5")


def test_unhandled_exception_is_500_json_without_details(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.get_json()["error"] == "internal_server_error"
    assert "secret internals" not in response.get_data(as_text=True)


def test_unmigrated_database_is_503_naming_the_fix(database_url, tmp_path):
    from tests.conftest import PG_TEST_DB, make_app, pg_url, recreate_pg_database

    if database_url.startswith("sqlite"):
        empty = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        recreate_pg_database(f"{PG_TEST_DB}_unmigrated")
        empty = pg_url(f"{PG_TEST_DB}_unmigrated")
    response = make_app(empty).test_client().get("/stores")
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_not_migrated"
    assert "stores-api db upgrade" in response.get_json()["message"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_reads_survive_the_server_dropping_their_connections(api, user):
    import psycopg

    from tests.conftest import PG_ADMIN_URL, PG_TEST_DB

    assert api.get("/item/nothing", token=user["access"]).status_code == 404  # connections open
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (PG_TEST_DB,),
        )
    response = api.get("/item/nothing", token=user["access"])
    assert response.status_code == 404
    assert response.get_json()["error"] == "item_not_found"

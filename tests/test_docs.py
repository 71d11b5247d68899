"""OpenAPI at /openapi.json and Swagger UI at /docs, from local assets only."""

import re

import pytest


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "delete", "patch"}:
                yield path, method, op


def test_every_contract_route_is_documented(spec):
    expected = {
        "/register",
        "/login",
        "/auth",
        "/refresh",
        "/logout",
        "/user/{user_id}",
        "/item/{name}",
        "/items",
        "/store/{name}",
        "/stores",
    }
    assert expected <= set(spec["paths"])


def test_every_operation_has_a_summary_and_error_responses(spec):
    for path, method, op in operations(spec):
        assert op.get("summary"), (path, method)
        errors = [code for code in op["responses"] if code[0] in "45"]
        if path not in {"/stores", "/healthz"}:  # these two never fail
            assert errors, (path, method)


def test_protected_operations_declare_bearer_auth(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in spec["paths"]["/item/{name}"]["post"]["security"]


def test_swagger_ui_loads_only_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        asset = client.get(source)
        asset.close()
        assert asset.status_code == 200, source


HASHING_OPERATIONS = [
    ("/login", "post"),
    ("/auth", "post"),
    ("/register", "post"),
    ("/user/{user_id}/password", "put"),
]


@pytest.mark.parametrize(("path", "method"), HASHING_OPERATIONS)
def test_operations_that_hash_a_password_document_login_busy(spec, path, method):
    assert "login_busy" in spec["paths"][path][method]["responses"]["503"]["description"]


@pytest.mark.parametrize("path", ["/login", "/auth"])
def test_logins_document_the_login_attempt_limit(spec, path):
    assert "login attempts" in spec["paths"][path]["post"]["responses"]["429"]["description"]


def test_an_operations_own_503_is_not_replaced_by_the_generic_one(spec):
    schema = spec["paths"]["/readyz"]["get"]["responses"]["503"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/Readiness"}

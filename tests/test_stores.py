"""/store/<name> and /stores."""

import pytest


def test_create_store_returns_it_with_no_items(api, user):
    response = api.post("/store/main-street", token=user["access"])
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "name": "main-street", "items": []}


def test_create_store_needs_a_login(api):
    response = api.post("/store/main-street")
    assert response.status_code == 401
    assert response.get_json()["error"] == "authorization_required"


def test_create_store_with_a_non_fresh_token_works(api, user):
    response = api.post("/store/main-street", token=api.refreshed_access(user))
    assert response.status_code == 201


def test_duplicate_store_name_is_409(api, user, store):
    response = api.post("/store/main-street", token=user["access"])
    assert response.status_code == 409
    assert response.get_json()["error"] == "store_exists"


@pytest.mark.parametrize("name", ["x" * 81, "bad%00name", "tab%09name"])
def test_create_store_with_invalid_name_is_422(api, user, name):
    assert api.post(f"/store/{name}", token=user["access"]).status_code == 422


def test_store_names_may_be_any_unicode_url_encoded(api, user):
    response = api.post("/store/caf%C3%A9%20%E6%9D%B1%E4%BA%AC", token=user["access"])
    assert response.status_code == 201
    assert response.get_json()["name"] == "café 東京"
    assert api.get("/store/caf%C3%A9%20%E6%9D%B1%E4%BA%AC").get_json()["name"] == "café 東京"


def test_get_store_includes_its_items(api, user, store):
    api.create_item("chair", user["access"], store["id"], 12.99)
    response = api.get("/store/main-street")
    assert response.status_code == 200
    assert response.get_json()["items"] == [
        {"id": 1, "name": "chair", "price": 12.99, "store_id": store["id"]}
    ]


def test_get_unknown_store_is_404(api):
    response = api.get("/store/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"] == "store_not_found"


def test_get_store_with_a_10000_character_name_is_404(api):
    assert api.get("/store/" + "x" * 10000).status_code == 404


def test_list_stores_is_public_and_nests_items(api, user, store):
    api.post("/store/second", token=user["access"])
    api.create_item("chair", user["access"], store["id"])
    response = api.get("/stores")
    assert response.status_code == 200
    stores = response.get_json()["stores"]
    assert [s["name"] for s in stores] == ["main-street", "second"]
    assert [i["name"] for i in stores[0]["items"]] == ["chair"]
    assert stores[1]["items"] == []


def test_delete_store_needs_admin_403(api, user, store):
    response = api.delete("/store/main-street", token=user["access"])
    assert response.status_code == 403
    assert response.get_json()["error"] == "admin_required"


def test_delete_store_without_token_is_401(api, store):
    assert api.delete("/store/main-street").status_code == 401


def test_admin_deletes_store_and_its_items(api, user, admin, store):
    api.create_item("chair", user["access"], store["id"])
    response = api.delete("/store/main-street", token=admin["access"])
    assert response.status_code == 200
    assert response.get_json() == {"message": "Store deleted."}
    assert api.get("/item/chair", token=user["access"]).status_code == 404
    assert api.get("/stores").get_json() == {"stores": []}


def test_delete_unknown_store_is_404(api, admin):
    assert api.delete("/store/nowhere", token=admin["access"]).status_code == 404

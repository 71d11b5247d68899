"""/item/<name> and /items."""

import json

import pytest


def test_create_item_returns_it(api, user, store):
    response = api.create_item("chair", user["access"], store["id"], 12.99)
    assert response.status_code == 201
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "name": "chair",
        "price": 12.99,
        "store_id": store["id"],
    }


def test_create_item_needs_a_fresh_token(api, user, store):
    response = api.create_item("chair", api.refreshed_access(user), store["id"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "fresh_token_required"


def test_create_item_without_a_token_is_401(api, store):
    response = api.post("/item/chair", json={"price": 1, "store_id": store["id"]})
    assert response.status_code == 401


def test_create_duplicate_item_is_409(api, user, store):
    api.create_item("chair", user["access"], store["id"])
    response = api.create_item("chair", user["access"], store["id"])
    assert response.status_code == 409
    assert response.get_json()["error"] == "item_exists"


def test_create_item_for_unknown_store_is_422(api, user, store):
    response = api.create_item("chair", user["access"], 999)
    assert response.status_code == 422
    assert "store_id" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize(
    "price",
    [-1, 1.999, "12.99", None, True, 100000000, 1e400, [1], {"a": 1}],
    ids=["negative", "3-decimals", "string", "null", "bool", "too-big", "huge", "list", "object"],
)
def test_invalid_price_is_422(api, user, store, price):
    response = api.create_item("chair", user["access"], store["id"], price)
    assert response.status_code == 422
    assert "price" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_prices_are_refused(api, user, store, literal):
    body = f'{{"price": {literal}, "store_id": {store["id"]}}}'
    response = api.post(
        "/item/chair", token=user["access"], data=body, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] == response.status_code


@pytest.mark.parametrize("price", [0, 12.99, 0.1, 99999999.99, 5])
def test_prices_come_back_exactly(api, user, store, price):
    response = api.create_item("chair", user["access"], store["id"], price)
    assert response.status_code == 201
    assert response.get_json()["price"] == price
    got = api.get("/item/chair", token=user["access"]).get_json()["price"]
    assert got == price


def test_prices_add_up_exactly_in_the_database(api, user, store, app):
    from sqlalchemy import func, select

    from stores_api.extensions import db
    from stores_api.models import Item

    for n in range(10):
        api.create_item(f"dime-{n}", user["access"], store["id"], 0.1)
    with app.app_context():
        total = db.session.scalar(select(func.sum(Item.price)))
    assert str(total) == "1.00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"price": 1}, "store_id"),
        ({"store_id": 1}, "price"),
        ({"price": 1, "store_id": "one"}, "store_id"),
        ({"price": 1, "store_id": 1.5}, "store_id"),
        ({"price": 1, "store_id": 2**70}, "store_id"),
        ({"price": 1, "store_id": 1, "id": 5}, "id"),
        ({"price": 1, "store_id": 1, "name": "other"}, "name"),
    ],
)
def test_invalid_item_body_is_422_naming_the_field(api, user, store, body, field):
    data = json.dumps(body)  # the standard library, which writes integers past 64 bits
    response = api.post(
        "/item/chair", token=user["access"], data=data, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_item_name_over_80_characters_is_422(api, user, store):
    assert api.create_item("x" * 81, user["access"], store["id"]).status_code == 422


def test_get_item_needs_a_login(api, user, store):
    api.create_item("chair", user["access"], store["id"])
    assert api.get("/item/chair").status_code == 401


def test_get_item_returns_it(api, user, store):
    api.create_item("chair", user["access"], store["id"], 3.5)
    response = api.get("/item/chair", token=user["access"])
    assert response.status_code == 200
    assert response.get_json()["price"] == 3.5


def test_get_unknown_item_is_404(api, user):
    response = api.get("/item/nothing", token=user["access"])
    assert response.status_code == 404
    assert response.get_json()["error"] == "item_not_found"


def test_put_creates_a_missing_item_with_201(api, user, store):
    response = api.put(
        "/item/chair", token=user["access"], json={"price": 4.25, "store_id": store["id"]}
    )
    assert response.status_code == 201
    assert response.get_json()["price"] == 4.25


def test_put_updates_an_existing_item_with_200(api, user, store):
    api.create_item("chair", user["access"], store["id"], 1)
    response = api.put(
        "/item/chair", token=user["access"], json={"price": 2.5, "store_id": store["id"]}
    )
    assert response.status_code == 200
    assert response.get_json()["price"] == 2.5
    assert api.get("/item/chair", token=user["access"]).get_json()["price"] == 2.5


def test_put_moves_an_item_to_another_store(api, user, store):
    other = api.post("/store/other", token=user["access"]).get_json()
    api.create_item("chair", user["access"], store["id"])
    response = api.put(
        "/item/chair", token=user["access"], json={"price": 1, "store_id": other["id"]}
    )
    assert response.get_json()["store_id"] == other["id"]


def test_put_works_with_a_non_fresh_token(api, user, store):
    response = api.put(
        "/item/chair", token=api.refreshed_access(user), json={"price": 1, "store_id": store["id"]}
    )
    assert response.status_code == 201


def test_put_without_a_token_is_401(api, store):
    response = api.put("/item/chair", json={"price": 1, "store_id": store["id"]})
    assert response.status_code == 401


def test_put_to_unknown_store_is_422(api, user, store):
    response = api.put("/item/chair", token=user["access"], json={"price": 1, "store_id": 999})
    assert response.status_code == 422


def test_delete_item_needs_admin_403(api, user, store):
    api.create_item("chair", user["access"], store["id"])
    response = api.delete("/item/chair", token=user["access"])
    assert response.status_code == 403


def test_admin_deletes_item(api, admin, user, store):
    api.create_item("chair", user["access"], store["id"])
    response = api.delete("/item/chair", token=admin["access"])
    assert response.status_code == 200
    assert response.get_json() == {"message": "Item deleted."}
    assert api.get("/item/chair", token=user["access"]).status_code == 404


def test_delete_unknown_item_is_404(api, admin):
    assert api.delete("/item/nothing", token=admin["access"]).status_code == 404


def test_items_for_logged_in_users_are_full_objects(api, user, store):
    api.create_item("chair", user["access"], store["id"], 2)
    response = api.get("/items", token=user["access"])
    assert response.status_code == 200
    assert response.get_json() == {
        "items": [{"id": 1, "name": "chair", "price": 2, "store_id": store["id"]}]
    }


def test_items_for_visitors_are_names_and_a_message(api, user, store):
    api.create_item("chair", user["access"], store["id"])
    api.create_item("table", user["access"], store["id"])
    response = api.get("/items")
    assert response.status_code == 200
    assert response.get_json() == {
        "items": ["chair", "table"],
        "message": "More data available if you log in.",
    }

"""Optional paging of /stores and /items, and filtering and sorting of /items."""

import pytest

from tests.catalogue import seed_catalogue


@pytest.fixture
def catalogue(app):
    """3 stores x 4 items: s0000-i0000 .. s0002-i0003, prices 1.00, 1.25, 1.50, 1.75."""
    seed_catalogue(app, 3, 4)


def names(response, key="items"):
    return [
        entry if isinstance(entry, str) else entry["name"] for entry in response.get_json()[key]
    ]


def test_without_paging_parameters_lists_are_whole_and_have_no_paging_headers(api, catalogue):
    response = api.get("/stores")
    assert len(response.get_json()["stores"]) == 3
    assert "X-Total-Count" not in response.headers
    assert "Link" not in response.headers


def test_a_page_of_stores_has_the_total_and_links(api, catalogue):
    response = api.get("/stores?page=2&per_page=2")
    assert response.status_code == 200
    assert names(response, "stores") == ["s0002"]
    assert [i["name"] for i in response.get_json()["stores"][0]["items"]][:1] == ["s0002-i0000"]
    assert response.headers["X-Total-Count"] == "3"
    links = response.headers["Link"]
    assert '/stores?page=1&per_page=2>; rel="first"' in links
    assert '/stores?page=1&per_page=2>; rel="prev"' in links
    assert '/stores?page=2&per_page=2>; rel="last"' in links
    assert 'rel="next"' not in links


def test_a_page_of_items_for_a_logged_in_user_is_full_items(api, user, catalogue):
    response = api.get("/items?page=2&per_page=5", token=user["access"])
    items = response.get_json()["items"]
    assert [i["name"] for i in items] == [
        "s0001-i0001", "s0001-i0002", "s0001-i0003", "s0002-i0000", "s0002-i0001",
    ]  # fmt: skip
    assert set(items[0]) == {"id", "name", "price", "store_id"}
    assert response.headers["X-Total-Count"] == "12"
    assert '/items?page=3&per_page=5>; rel="next"' in response.headers["Link"]


def test_a_page_of_items_for_a_visitor_is_names_and_the_message(api, catalogue):
    body = api.get("/items?page=1&per_page=2").get_json()
    assert body == {
        "items": ["s0000-i0000", "s0000-i0001"],
        "message": "More data available if you log in.",
    }


def test_page_alone_uses_the_default_page_size(api, catalogue):
    response = api.get("/items?page=1")
    assert len(response.get_json()["items"]) == 12
    assert 'per_page=100>; rel="first"' in response.headers["Link"]


def test_a_page_past_the_end_is_empty_but_still_has_the_total(api, user, catalogue):
    response = api.get("/items?page=9&per_page=5", token=user["access"])
    assert response.status_code == 200
    assert response.get_json() == {"items": []}
    assert response.headers["X-Total-Count"] == "12"
    stores = api.get("/stores?page=9&per_page=5")
    assert stores.get_json() == {"stores": []}
    assert stores.headers["X-Total-Count"] == "3"


def test_links_keep_the_filters(api, catalogue):
    response = api.get("/items?store_id=2&page=1&per_page=1")
    assert "store_id=2" in response.headers["Link"].split(",")[0]


@pytest.mark.parametrize(
    "query",
    ["page=0", "per_page=0", "per_page=1001", "page=x", "sort=colour", "min_price=-1",
     "store_id=0", "max_price=abc"],
)  # fmt: skip
def test_invalid_list_parameters_are_422(api, catalogue, query):
    response = api.get(f"/items?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"] == "unprocessable_entity"


def test_a_query_string_is_answered_the_same_each_time(api, catalogue):
    first = [api.get(f"/items?page={n}&per_page=2").get_json() for n in (1, 2)]
    again = [api.get(f"/items?page={n}&per_page=2").get_json() for n in (1, 2)]
    assert again == first and first[0] != first[1]
    assert [api.get("/items?per_page=0").status_code for _ in range(2)] == [422, 422]


def test_invalid_store_paging_is_422(api):
    assert api.get("/stores?per_page=5000").status_code == 422


def test_items_filter_by_store(api, user, catalogue):
    items = api.get("/items?store_id=2", token=user["access"]).get_json()["items"]
    assert {i["store_id"] for i in items} == {2}
    assert len(items) == 4


def test_items_filter_by_name_prefix_is_case_sensitive_and_literal(api, app, user, catalogue):
    assert names(api.get("/items?name_prefix=s0002-i000")) == [
        "s0002-i0000", "s0002-i0001", "s0002-i0002", "s0002-i0003",
    ]  # fmt: skip
    assert names(api.get("/items?name_prefix=S0002")) == []
    assert names(api.get("/items?name_prefix=s000_")) == []
    assert names(api.get("/items?name_prefix=%25")) == []


def test_items_filter_by_price_range_is_inclusive(api, user, catalogue):
    items = api.get("/items?min_price=1.25&max_price=1.5", token=user["access"]).get_json()
    assert {i["price"] for i in items["items"]} == {1.25, 1.5}
    assert len(items["items"]) == 6


@pytest.mark.parametrize("query", ["min_price=1.5&max_price=1.25", "name_prefix=s0%00"])
def test_filters_that_nothing_can_match_give_an_empty_list(api, catalogue, query):
    response = api.get(f"/items?{query}")
    assert response.status_code == 200
    assert response.get_json()["items"] == []


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("price", "s0000-i0000", "s0002-i0003"),
        ("-price", "s0000-i0003", "s0002-i0000"),
        ("-id", "s0002-i0003", "s0000-i0000"),
        ("name", "s0000-i0000", "s0002-i0003"),
        ("-name", "s0002-i0003", "s0000-i0000"),
    ],
)
def test_items_sort_by_a_key_then_by_id(api, catalogue, sort, first, last):
    listed = names(api.get(f"/items?sort={sort}"))
    assert (listed[0], listed[-1]) == (first, last)


def test_filters_sort_and_paging_combine(api, user, catalogue):
    response = api.get("/items?min_price=1.5&sort=-price&page=2&per_page=2", token=user["access"])
    assert [(i["name"], i["price"]) for i in response.get_json()["items"]] == [
        ("s0002-i0003", 1.75),
        ("s0000-i0002", 1.5),
    ]
    assert response.headers["X-Total-Count"] == "6"


def test_openapi_documents_paging_filters_and_headers(client):
    spec = client.get("/openapi.json").get_json()
    items = spec["paths"]["/items"]["get"]
    params = {p["name"] for p in items["parameters"] if p["in"] == "query"}
    assert {
        "page",
        "per_page",
        "store_id",
        "name_prefix",
        "min_price",
        "max_price",
        "sort",
    } <= params
    stores = spec["paths"]["/stores"]["get"]
    assert {"page", "per_page"} <= {p["name"] for p in stores["parameters"]}
    assert {"X-Total-Count", "Link"} <= set(items["responses"]["200"]["headers"])
    assert "304" in items["responses"]

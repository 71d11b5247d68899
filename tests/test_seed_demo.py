"""`stores-api seed-demo`: demo stores and items in bulk, idempotent, with a progress bar."""

import pytest

from stores_api import demo
from tests.test_cli import run_cli


def seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result


def test_seed_demo_creates_the_stores_and_their_items(app, api, user):
    seed(app, "--stores", "3", "--items", "4")
    stores = api.get("/stores").get_json()["stores"]
    assert [s["name"] for s in stores] == ["demo-store-0001", "demo-store-0002", "demo-store-0003"]
    assert all(len(s["items"]) == 4 for s in stores)
    assert len(api.get("/items", token=user["access"]).get_json()["items"]) == 12


def test_seed_demo_items_have_valid_prices(app, api, user):
    seed(app, "--stores", "2", "--items", "50")
    items = api.get("/items", token=user["access"]).get_json()["items"]
    assert all(
        0 < item["price"] < 100 and round(item["price"], 2) == item["price"] for item in items
    )


def test_running_seed_demo_again_adds_nothing(app, api):
    seed(app, "--stores", "2", "--items", "3")
    result = seed(app, "--stores", "2", "--items", "3")
    assert "(0 new)" in result.output
    assert sum(len(s["items"]) for s in api.get("/stores").get_json()["stores"]) == 6


def test_seed_demo_with_larger_numbers_adds_only_the_missing_rows(app, api):
    seed(app, "--stores", "2", "--items", "3")
    result = seed(app, "--stores", "3", "--items", "5")
    assert "3 stores (1 new), 15 items (9 new)" in result.output
    assert sum(len(s["items"]) for s in api.get("/stores").get_json()["stores"]) == 15


def test_seed_demo_skips_a_demo_name_a_user_already_took(app, api, user, store):
    api.create_item("demo-item-0001-00001", user["access"], store["id"], price=1)
    seed(app, "--stores", "1", "--items", "2")
    item = api.get("/item/demo-item-0001-00001", token=user["access"]).get_json()
    assert item["store_id"] == store["id"] and item["price"] == 1


def test_seed_demo_leaves_other_data_alone(app, api, store):
    seed(app, "--stores", "1", "--items", "1")
    assert api.get("/store/main-street").get_json() == store


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_seed_demo_commits_one_batch_at_a_time(app):
    sizes = []
    with app.app_context():
        demo.seed(3, 7, batch_size=5, progress=sizes.append)
    # stores: one batch of 3; items: per group of stores, batches of at most 5 rows
    assert sizes[0] == 3 and max(sizes[1:]) == 5 and sum(sizes) == 3 + 21


def test_seed_demo_rejects_a_negative_count(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--stores", "-1"])
    assert result.exit_code == 2
    assert "--stores" in result.output


def test_console_script_seeds_with_a_progress_bar(tmp_path):
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "seed-demo", "--stores", "2", "--items", "10")
    assert result.returncode == 0, result.stderr
    assert "Seeding" in result.stderr
    assert "2 stores (2 new), 20 items (20 new)" in result.stdout

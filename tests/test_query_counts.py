"""A list costs a constant, small number of SQL statements, whatever its length."""

import pytest

from stores_api.diagnostics import HEADER
from tests.catalogue import seed_catalogue
from tests.conftest import make_app, prepare_database
from tests.helpers import Api

# (path, sent with a token): every list endpoint, whole and paged, plus the single reads.
READS = [
    ("/stores", False),
    ("/stores?page=2&per_page=2", False),
    ("/items", True),
    ("/items", False),
    ("/items?page=2&per_page=5&sort=-price&min_price=1", True),
    ("/items?store_id=2&name_prefix=s0001", False),
    ("/store/s0001", False),
    ("/item/s0001-i0002", True),
]


@pytest.fixture
def counted(database_url):
    app = make_app(database_url, SQL_QUERY_HEADER=True)
    prepare_database(app)
    return app


def statements(api, token, path, with_token):
    response = api.get(path, token=token if with_token else None)
    assert response.status_code == 200, response.get_json()
    return int(response.headers[HEADER])


def counts_after_a_write(app, api, token, stores, items):
    seed_catalogue(app, stores, items, first=len(api.get("/stores").get_json()["stores"]))
    cold = {path: statements(api, token, path, auth) for path, auth in READS}
    warm = {path: statements(api, token, path, auth) for path, auth in READS}
    return cold, warm


def test_statements_per_request_are_at_most_3_and_do_not_grow_with_the_data(counted):
    api = Api(counted.test_client())
    token = api.new_user("alice")["access"]
    small = counts_after_a_write(counted, api, token, 3, 4)
    large = counts_after_a_write(counted, api, token, 12, 30)
    assert small == large
    cold, warm = large
    assert max(cold.values()) <= 3
    assert max(warm.values()) <= 3


def test_a_prepared_list_costs_one_statement_without_a_token(counted):
    api = Api(counted.test_client())
    seed_catalogue(counted, 2, 2)
    assert statements(api, None, "/stores", False) == 2  # version + the joined list
    assert statements(api, None, "/stores", False) == 1  # version only


def test_the_query_count_header_is_off_by_default(client):
    assert HEADER not in client.get("/stores").headers

"""Schemathesis against our own OpenAPI spec: no 5xx, every answer as documented, auth enforced.

Every operation of /openapi.json gets FUZZ_EXAMPLES generated requests (positive and negative
data, a fixed seed), sent in-process to the WSGI app as an admin with a fresh token (so the
handlers, not only the auth layer, are reached), and every response goes through all of
schemathesis' checks. STORES_API_FUZZ_EXAMPLES=2000 runs a longer campaign.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import make_app
from tests.helpers import Api
from tests.security.conftest import CHEAP_HASHING
from tests.security.figures import record
from tests.security.test_auth_matrix import reset

FUZZ_EXAMPLES = int(os.environ.get("STORES_API_FUZZ_EXAMPLES", "200"))
FUZZ_SEED = int(os.environ.get("STORES_API_FUZZ_SEED", "20261123"))
# Operations that take the refresh token rather than the access token.
REFRESH_OPERATIONS = {"POST /refresh"}


class Identity:
    """The admin the fuzzer acts as; re-created and logged in again when a request ends it."""

    def __init__(self, app):
        self.app = app
        self.api = Api(app.test_client())
        self.renew()

    def renew(self) -> None:
        from sqlalchemy import select

        from stores_api.auth.passwords import hash_password
        from stores_api.extensions import db
        from stores_api.models import User

        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.username == "fuzz-admin"))
            if user is None:
                user = User(username="fuzz-admin", password_hash=hash_password("fuzz-password"))
                db.session.add(user)
            user.role = "admin"
            db.session.commit()
        self.user = self.api.login_user({"username": "fuzz-admin", "password": "fuzz-password"})

    def headers_for(self, label: str) -> dict[str, str]:
        token = self.user["refresh"] if label in REFRESH_OPERATIONS else self.user["access"]
        return {"Authorization": f"Bearer {token}"}

    def still_valid(self) -> bool:
        return self.api.get("/items", token=self.user["access"]).status_code == 200


@pytest.fixture
def fuzz_app(database_url):
    app = make_app(database_url, **CHEAP_HASHING)
    seed_world(app)
    return app


def seed_world(app) -> None:
    """An empty database with something to find: a store, an item, a plain user."""
    reset(app)
    api = Api(app.test_client())
    someone = api.new_user("someone")
    store = api.post("/store/main", token=someone["access"]).get_json()
    api.create_item("chair", someone["access"], store["id"])


@pytest.fixture
def identity(fuzz_app) -> Identity:
    return Identity(fuzz_app)


def point_at_a_real_store(case, app) -> None:
    """Valid data names an existing store: which ids exist is state, not schema.

    Only positive cases are changed, and only when their store_id names no store (any more);
    the 422 for an unknown store_id is proven in tests/test_items.py.
    """
    body = case.body
    if case.meta.generation.mode.is_positive and isinstance(body, dict) and "store_id" in body:
        body["store_id"] = existing_store_id(app, body["store_id"])


def existing_store_id(app, wanted) -> int:
    from sqlalchemy import select

    from stores_api.extensions import db
    from stores_api.models import Store

    with app.app_context():
        if isinstance(wanted, int) and 0 < wanted < 2**31 and db.session.get(Store, wanted):
            return wanted
        store_id = db.session.scalar(select(Store.id).order_by(Store.id).limit(1))
        if store_id is None:
            store = Store(name="fuzz-store")
            db.session.add(store)
            db.session.commit()
            store_id = store.id
        return store_id


def documented_operations() -> list[str]:
    """Every operation of our OpenAPI document, as "METHOD /path" (read at collection time)."""
    app = make_app("sqlite://")
    spec = app.test_client().get("/openapi.json").get_json()
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    ]


OPERATIONS = documented_operations()


def cases_for(app, label: str):
    """Positive and negative requests for one operation, generated from the served spec."""
    config = schemathesis.Config(seed=FUZZ_SEED)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_as_documented(label, fuzz_app, identity):
    record("fuzz_operations_x_databases", 1)
    record("fuzz_max_examples_per_operation", FUZZ_EXAMPLES, add=False)

    @given(case=cases_for(fuzz_app, label))
    @hypothesis_seed(FUZZ_SEED)
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        point_at_a_real_store(case, fuzz_app)
        response = case.call_and_validate(headers=identity.headers_for(label))
        record("fuzz_requests", 1)
        record("fuzz_server_errors", int(response.status_code >= 500))
        if case.method.upper() != "GET" and response.status_code < 300:
            if not identity.still_valid():
                identity.renew()

    fuzz()


STATEFUL_SCENARIOS = int(os.environ.get("STORES_API_FUZZ_SCENARIOS", "50"))


def test_sequences_along_inferred_links_answer_as_documented(fuzz_app, identity):
    """Stateful: schemathesis chains operations along links it infers from the spec (a created
    store's name and id feed GET/DELETE /store and POST /item, and so on)."""
    config = schemathesis.Config(seed=FUZZ_SEED)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app, config=config)
    workflow = schema.as_state_machine()

    class Scenario(workflow):
        def setup(self):
            # Every scenario starts from the same world, so hypothesis can replay and shrink.
            seed_world(fuzz_app)
            identity.renew()

        def before_call(self, case):
            point_at_a_real_store(case, fuzz_app)

        def get_call_kwargs(self, case):
            return {"headers": identity.headers_for(f"{case.method.upper()} {case.operation.path}")}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Name our Authorization header as explicit auth, as call_and_validate does.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

        def after_call(self, response, case):
            super().after_call(response, case)
            record("fuzz_stateful_requests", 1)
            record("fuzz_server_errors", int(response.status_code >= 500))
            if case.method.upper() != "GET" and response.status_code < 300:
                if not identity.still_valid():
                    identity.renew()

    Scenario.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )

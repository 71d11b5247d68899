"""Migrations are the schema: `db upgrade` builds exactly the models, and is idempotent."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from stores_api.extensions import db
from tests.conftest import PG_TEST_DB, make_app, pg_url, recreate_pg_database

PG_MIGRATIONS_DB = f"{PG_TEST_DB}_migrations"


def migrated_app(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        recreate_pg_database(PG_MIGRATIONS_DB)
        url = pg_url(PG_MIGRATIONS_DB)
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    return make_app(url)


def test_migrations_produce_exactly_the_models_schema(database_url, tmp_path):
    app = migrated_app(database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_db_upgrade_is_idempotent(database_url, tmp_path):
    app = migrated_app(database_url, tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade"])
    second = runner.invoke(args=["db", "upgrade"])
    with app.app_context():
        db.engine.dispose()
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output

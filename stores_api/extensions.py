"""The Flask extensions, created unbound and bound to an app in create_app."""

import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from stores_api.auth.verified_tokens import VerifiedTokenCache
from stores_api.errors import JsonErrorApi

# Named constraints, so migrations are stable and an IntegrityError names what it broke.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = VerifiedTokenCache()
api = JsonErrorApi()
# One limiter; its storage (memory, or Redis with REDIS_URL) is bound in create_app.
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys; WAL and a busy timeout so several workers can write."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 512 KiB of page cache per connection instead of 2 MiB: a worker has up to ten, and
        # the operating system caches the file anyway (a cold 100 000-item list builds ~4 %
        # slower; a worker's peak memory at 1000x100 stays within bench/'s allowance).
        cursor.execute("PRAGMA cache_size=-512")
        cursor.close()

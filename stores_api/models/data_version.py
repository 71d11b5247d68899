"""The catalogue's data version: one counter every worker and server reads, bumped by each write.

Every transaction that changes a store or an item also increments this counter, in the same
transaction, so the new version becomes visible at the same instant as the new data. Readers
compare it with the version their prepared response bytes were built from (stores_api/cache.py).
The engine events below do it for every INSERT, UPDATE or DELETE statement on stores or items,
whether it comes from an ORM flush, a bulk insert or a Core statement on a connection; only
hand-written SQL text (which no code here uses for writes) would have to call bump() itself.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Connection, Delete, Insert, Update, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from stores_api import read_connection
from stores_api.extensions import db

SINGLETON_ID = 1
CATALOGUE_TABLES = frozenset({"stores", "items"})
# Set in the connection's info while its transaction has bumped the version.
_BUMPED = "data_version_bumped"


class DataVersion(db.Model):
    __tablename__ = "data_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)

    @classmethod
    def current(cls) -> int:
        """The committed version (0 before the first write). One primary-key read."""
        return read_connection.scalar(_CURRENT) or 0

    @classmethod
    def bump(cls, connection: Connection | None = None) -> None:
        """Increment the version inside the current transaction (once per transaction).

        An upsert, so it works on a database built by create_all() too. It locks the row until
        the transaction ends: writes to the catalogue serialize here, reads never wait.
        """
        connection = connection or db.session.connection()
        if connection.info.get(_BUMPED):
            return
        connection.info[_BUMPED] = True
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert(cls).values(id=SINGLETON_ID, version=1)
        statement = statement.on_conflict_do_update(
            index_elements=[cls.id], set_={"version": cls.version + 1}
        )
        connection.execute(statement)


_CURRENT = select(DataVersion.version).where(DataVersion.id == SINGLETON_ID)


@event.listens_for(Engine, "before_execute")
def _bump_before_catalogue_write(connection, statement, *_args) -> None:
    # Before the rows it covers, so every writer takes the version's row lock first and
    # writers cannot deadlock on it; the commit then publishes version and data together.
    if isinstance(statement, Insert | Update | Delete):
        if getattr(statement.table, "name", None) in CATALOGUE_TABLES:
            DataVersion.bump(connection)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(connection) -> None:
    connection.info.pop(_BUMPED, None)


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_undone(connection, *_args) -> None:
    # The bump may have been undone with the savepoint: the next write bumps again.
    connection.info.pop(_BUMPED, None)

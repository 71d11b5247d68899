"""The catalogue's data version: one counter every worker and server reads, bumped by each write.

Every transaction that changes a store or an item also increments this counter, in the same
transaction, so the new version becomes visible at the same instant as the new data. Readers
compare it with the version their prepared response bytes were built from (stores_api/cache.py).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from stores_api.extensions import db

SINGLETON_ID = 1
_BUMPED = "data_version_bumped"


class DataVersion(db.Model):
    __tablename__ = "data_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)

    @classmethod
    def current(cls) -> int:
        """The committed version (0 before the first write). One primary-key read."""
        # Core on the session's connection: a fifth of the ORM's per-statement cost.
        return db.session.connection().execute(_CURRENT).scalar() or 0

    @classmethod
    def bump(cls, session: Session | None = None) -> None:
        """Increment the version inside the caller's transaction (once per transaction).

        An upsert, so it works on a database built by create_all() too. It locks the row until
        the transaction ends: writes to the catalogue serialize here, reads never wait.
        """
        session = session or db.session
        if session.info.get(_BUMPED):
            return
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(cls).values(id=SINGLETON_ID, version=1)
        statement = statement.on_conflict_do_update(
            index_elements=[cls.id], set_={"version": cls.version + 1}
        )
        session.connection().execute(statement)
        session.info[_BUMPED] = True


_CURRENT = select(DataVersion.version).where(DataVersion.id == SINGLETON_ID)


def _touches_catalogue(session: Session) -> bool:
    from stores_api.models.item import Item
    from stores_api.models.store import Store

    catalogue = (Item, Store)
    return any(
        isinstance(obj, catalogue) for obj in (*session.new, *session.dirty, *session.deleted)
    )


@event.listens_for(Session, "before_flush")
def _bump_on_catalogue_flush(session: Session, _context, _instances) -> None:
    # The bump comes before the rows it covers, so every writer takes the version lock first
    # and writers cannot deadlock on it.
    if _touches_catalogue(session):
        DataVersion.bump(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_bump(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_BUMPED, None)

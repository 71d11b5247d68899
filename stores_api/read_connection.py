"""Hot reads: the statements every read request runs, on a connection made for reading.

The token check, the data version, one item and one store run on every request of the busiest
endpoints. Through the ORM session each costs a transaction (BEGIN, and a ROLLBACK when the
session closes), a pool pre-ping on PostgreSQL and SQLAlchemy's per-statement machinery: four
round trips and ~0.1 ms of Python for a one-row lookup. Here they run instead on a second,
small pool of connections in autocommit mode (each statement sees everything committed before
it, as the session would), with the statement compiled to SQL once per dialect and executed
straight on the driver's cursor: one round trip each.

A connection is taken from the pool at a request's first hot read and given back when the
request ends. The pool does not pre-ping: a connection the server dropped (a restart) fails
its statement, is thrown away, and the statement runs again once on a new connection, so a
database that is back answers at once; one that is still down becomes the usual
sqlalchemy.exc.OperationalError (503 + Retry-After, stores_api/errors.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, exc
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

from stores_api import diagnostics
from stores_api.config import engine_options
from stores_api.extensions import db

EXTENSION = "stores_api.read_connection"
_CONNECTION = "_read_connection"


class Reader:
    """The read pool of one app and its statements compiled for its dialect."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._compiled: dict[Executable, tuple[str, tuple[str, ...] | None, dict]] = {}

    def sql(self, statement: Executable) -> tuple[str, tuple[str, ...] | None, dict]:
        """(SQL text, the names of its positional parameters or None for named ones, the
        values the statement holds itself)."""
        found = self._compiled.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            names = tuple(compiled.positiontup) if compiled.positional else None
            found = self._compiled[statement] = (str(compiled), names, dict(compiled.params))
        return found


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_give_back)


def _reader() -> Reader:
    reader = current_app.extensions.get(EXTENSION)
    if reader is None:
        url = db.engine.url
        options = engine_options(url.render_as_string(hide_password=False), current_app.config)
        options.update(pool_pre_ping=False, isolation_level="AUTOCOMMIT")
        if url.get_backend_name() != "sqlite":
            options["pool_reset_on_return"] = None  # autocommit: nothing to roll back
        reader = current_app.extensions[EXTENSION] = Reader(create_engine(url, **options))
    return reader


def dispose(app: Flask) -> None:
    """Close the app's read connections (tests do, after each app)."""
    reader = app.extensions.pop(EXTENSION, None)
    if reader is not None:
        reader.engine.dispose()


def _give_back(_exc: BaseException | None = None) -> None:
    connection = g.pop(_CONNECTION, None)
    if connection is not None:
        connection.close()


def _connection(reader: Reader):
    connection = g.get(_CONNECTION)
    if connection is None:
        try:
            connection = g._read_connection = reader.engine.raw_connection()
        except reader.engine.dialect.loaded_dbapi.Error as error:
            raise _wrapped(reader, error, None, None, dropped=True) from error
    return connection


def _run(statement: Executable, params: dict[str, Any]):
    reader = _reader()
    sql, names, own = reader.sql(statement)
    params = {**own, **params} if own else params
    values = tuple(params[name] for name in names) if names is not None else params
    diagnostics.count_statement()
    for attempt in (1, 2):
        connection = _connection(reader)
        try:
            return connection.driver_connection.execute(sql, values)
        except reader.engine.dialect.loaded_dbapi.Error as error:
            dropped = reader.engine.dialect.is_disconnect(error, connection.dbapi_connection, None)
            if dropped:
                g.pop(_CONNECTION, None)
                connection.invalidate(error)
            if not dropped or attempt == 2:
                raise _wrapped(reader, error, sql, values, dropped) from error
    raise AssertionError("unreachable")


def _wrapped(reader: Reader, error: Exception, sql, values, dropped: bool) -> exc.DBAPIError:
    """The driver's error as SQLAlchemy raises it (OperationalError, ...): one error mapping."""
    dialect = reader.engine.dialect
    return exc.DBAPIError.instance(
        sql,
        values,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=dialect,
        connection_invalidated=dropped,
    )


def first(statement: Executable, params: dict[str, Any] | None = None) -> tuple | None:
    """The first row of statement (plain tuple), or None."""
    return _run(statement, params or {}).fetchone()


def all_rows(statement: Executable, params: dict[str, Any] | None = None) -> list[tuple]:
    """Every row of statement, as plain tuples."""
    return _run(statement, params or {}).fetchall()


def scalar(statement: Executable, params: dict[str, Any] | None = None) -> Any:
    row = first(statement, params)
    return None if row is None else row[0]

"""Benchmark diagnostics: X-SQL-Queries counts the SQL statements each request ran.

Off unless SQL_QUERY_HEADER (FLASK_SQL_QUERY_HEADER=true) is set; never for production.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event

from stores_api.extensions import db

HEADER = "X-SQL-Queries"


def _count_statement(*_args) -> None:
    if has_request_context():
        g.sql_queries = g.get("sql_queries", 0) + 1


def count_statement() -> None:
    """Count a statement run outside SQLAlchemy's engine events (stores_api/read_connection.py)."""
    if current_app.config.get("SQL_QUERY_HEADER"):
        _count_statement()


def init_app(app: Flask) -> None:
    if not app.config.get("SQL_QUERY_HEADER"):
        return
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _count_statement)

    @app.after_request
    def _report(response):
        response.headers[HEADER] = str(g.get("sql_queries", 0))
        return response

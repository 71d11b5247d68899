"""The `stores-api` group: an example under every command's help, and one-line errors.

Flask and Flask-Migrate bring commands of their own (run, shell, routes, db ..., openapi ...);
their help gets the examples below. A database that cannot be reached ends any command with one
line on stderr and exit code 1 instead of a traceback.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

EXAMPLES: dict[str, list[str]] = {
    "run": ["stores-api run", "stores-api run --host 127.0.0.1 --port 8000"],
    "shell": ["stores-api shell"],
    "routes": ["stores-api routes", "stores-api routes --sort rule"],
    "db": ["stores-api db upgrade", "stores-api db current"],
    "db upgrade": [
        "stores-api db upgrade",
        "DATABASE_URL=postgresql://user@host/db stores-api db upgrade",
    ],
    "db downgrade": ["stores-api db downgrade -1"],
    "db current": ["stores-api db current"],
    "db history": ["stores-api db history"],
    "db heads": ["stores-api db heads"],
    "db branches": ["stores-api db branches"],
    "db show": ["stores-api db show head"],
    "db stamp": ["stores-api db stamp head"],
    "db check": ["stores-api db check"],
    "db migrate": ["stores-api db migrate -m 'add a column' --rev-id 0002_column"],
    "db revision": ["stores-api db revision -m 'data fix' --rev-id 0003_data_fix"],
    "db edit": ["stores-api db edit head"],
    "db merge": ["stores-api db merge -m 'merge heads' heads"],
    "db init": ["stores-api db init  (not needed: the migrations ship in the package)"],
    "db list-templates": ["stores-api db list-templates"],
    "openapi": ["stores-api openapi write openapi.json"],
    "openapi print": ["stores-api openapi print"],
    "openapi write": ["stores-api openapi write openapi.json"],
    "openapi list-config-prefixes": ["stores-api openapi list-config-prefixes"],
    "limiter": ["stores-api limiter limits", "stores-api limiter config"],
    "limiter limits": [
        "stores-api limiter limits",
        "stores-api limiter limits --endpoint auth.Login",
    ],
    "limiter config": ["stores-api limiter config"],
    "limiter clear": ["stores-api limiter clear --endpoint auth.Login --key 203.0.113.7"],
}


def _with_examples(command: click.Command, path: str) -> click.Command:
    examples = EXAMPLES.get(path)
    if examples and not command.epilog:
        command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in examples)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _with_examples(sub, f"{path} {name}")
    return command


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


class StoresApiGroup(FlaskGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        return _with_examples(command, name) if command is not None else None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            app = ctx.ensure_object(ScriptInfo).load_app()
            url = _safe_url(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
            reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
            hint = ""
            if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
                hint = " (run `stores-api db upgrade` first)"
            raise click.ClickException(f"Database {url}: {reason}{hint}") from None

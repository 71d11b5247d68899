"""The `stores-api` command: Flask's CLI over create_app, plus our own commands.

stores-api run                      serve on http://127.0.0.1:5000 (development server)
stores-api db upgrade               create or update the schema (idempotent)
stores-api create-admin alice       create alice as admin, or promote her
stores-api seed-demo                demo stores and items, to try the API at once
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from stores_api.cli_help import StoresApiGroup
from stores_api.config import ConfigError, development_secret


def _cli_app() -> Flask:
    from stores_api import create_app

    try:
        # A throwaway app only to locate the instance folder where the dev key lives.
        instance_path = Flask("stores_api", instance_relative_config=True).instance_path
        secret = development_secret(instance_path)
        return create_app({"JWT_SECRET_KEY": secret} if secret else None)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@click.group(cls=StoresApiGroup, create_app=_cli_app, add_version_option=False)
def cli() -> None:
    """Stores REST API management: run the server, migrate the database, manage admins.

    \b
    The database is DATABASE_URL (default: SQLite in ./instance/stores.db).
    Examples:
      stores-api db upgrade
      stores-api seed-demo --stores 10 --items 50
      stores-api run
      stores-api COMMAND --help
    """


@click.command("create-admin")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_admin(username: str, password_stdin: bool) -> None:
    """Create USERNAME as an admin, or promote the existing user to admin.

    \b
    Examples:
      stores-api create-admin alice
      printf '%s' "$PASSWORD" | stores-api create-admin alice --password-stdin
    """
    from stores_api.auth.passwords import hash_password
    from stores_api.extensions import db
    from stores_api.models import User

    user = User.find_by_username(username)
    if user is not None:
        user.role = "admin"
        db.session.commit()
        click.echo(f"Promoted existing user '{username}' (id {user.id}) to admin.")
        return
    if not 3 <= len(username) <= 80:
        raise click.ClickException("A username has 3 to 80 characters.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < minimum:
        raise click.ClickException(f"The password needs at least {minimum} characters.")
    user = User(username=username, password_hash=hash_password(password), role="admin")
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        raise click.ClickException(f"User '{username}' was created meanwhile; run again.") from exc
    click.echo(f"Created admin '{username}' (id {user.id}).")


@click.command("seed-demo")
@click.option("--stores", default=10, show_default=True, type=click.IntRange(0, 100_000))
@click.option(
    "--items", default=20, show_default=True, type=click.IntRange(0, 100_000), help="Per store."
)
@with_appcontext
def seed_demo(stores: int, items: int) -> None:
    """Fill the database with demo stores and items; running it again adds only what is missing.

    \b
    Stores are named demo-store-0001..., items demo-item-0001-00001...
    Examples:
      stores-api seed-demo
      stores-api seed-demo --stores 100 --items 1000
    """
    from stores_api import demo

    total = stores + stores * items
    with click.progressbar(length=total, label="Seeding", file=sys.stderr) as bar:
        result = demo.seed(stores, items, progress=bar.update)
    click.echo(
        f"Demo data: {result.stores_total} stores ({result.stores_added} new), "
        f"{result.items_total} items ({result.items_added} new)."
    )


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)

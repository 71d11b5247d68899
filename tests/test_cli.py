"""The `stores-api` command: create-admin, help, and the installed console script."""

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import PASSWORD

STORES_API = str(Path(sys.executable).parent / "stores-api")


def test_create_admin_creates_an_admin_from_stdin(app, api):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "boss", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    admin = api.login_user({"username": "boss", "password": PASSWORD})
    assert api.get(f"/user/{admin['id']}", token=admin["access"]).get_json()["role"] == "admin"


def test_create_admin_prompts_for_the_password(app, api):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "boss"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert api.post("/login", json={"username": "boss", "password": PASSWORD}).status_code == 200


def test_create_admin_promotes_an_existing_user(app, api, user):
    result = app.test_cli_runner().invoke(args=["create-admin", "alice"])
    assert result.exit_code == 0
    relogged = api.login_user(user)
    assert api.get(f"/user/{user['id']}", token=relogged["access"]).get_json()["role"] == "admin"


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "boss", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert "at least 8" in result.output


def test_promotion_takes_effect_at_the_next_token(app, api, user, store):
    app.test_cli_runner().invoke(args=["create-admin", "alice"])
    assert api.delete("/store/main-street", token=user["access"]).status_code == 403
    relogged = api.login_user(user)
    assert api.delete("/store/main-street", token=relogged["access"]).status_code == 200


def run_cli(tmp_path, *args, stdin=None):
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "FLASK_JWT_SECRET_KEY": "c" * 40,
    }
    return subprocess.run(
        [STORES_API, *args],
        env=env,
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_console_script_migrates_and_creates_admin_from_any_directory(tmp_path):
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "create-admin", "boss", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "Created admin 'boss'" in result.stdout


def test_console_script_lists_its_commands(tmp_path):
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "db", "create-admin"):
        assert command in result.stdout

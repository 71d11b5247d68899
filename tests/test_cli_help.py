"""Every `stores-api` command explains itself with examples; errors are one line, exit non-zero."""

import os
import subprocess

import click
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from stores_api.cli import cli
from tests.test_cli import STORES_API
from tests.test_health import closed_port


def run_cli(tmp_path, *args, stdin=None, env=None):
    """The installed console script in a clean environment (plus env)."""
    base = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "FLASK_JWT_SECRET_KEY": "c" * 40,
    }
    return subprocess.run(
        [STORES_API, *args],
        env={**base, **(env or {})},
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def runner(tmp_path) -> CliRunner:
    return CliRunner(
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "FLASK_JWT_SECRET_KEY": "h" * 40}
    )


def command_paths(runner) -> list[list[str]]:
    """Every command and subcommand, as the words that name it on the command line."""
    # Closing the context pops the app context that listing the commands pushed.
    with runner.isolation(), click.Context(cli, obj=ScriptInfo(create_app=cli.create_app)) as ctx:
        paths = []

        def walk(group, prefix):
            for name in group.list_commands(ctx):
                command = group.get_command(ctx, name)
                paths.append([*prefix, name])
                if isinstance(command, click.Group):
                    walk(command, [*prefix, name])

        walk(cli, [])
    return paths


def test_the_command_list_has_ours_and_the_frameworks(runner):
    names = {" ".join(path) for path in command_paths(runner)}
    assert {"run", "db", "db upgrade", "create-admin", "seed-demo", "routes"} <= names


def test_the_top_level_help_has_examples(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "stores-api seed-demo" in result.output


def test_every_command_has_help_text_and_examples(runner):
    for path in command_paths(runner):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        description = result.output.split("\n\n")[1].strip()
        assert description, path
        assert "Example" in result.output, path
        assert f"stores-api {path[0]}" in result.output, path


def test_create_admin_with_a_bad_username_is_one_line_and_exit_1(tmp_path):
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "create-admin", "ab", "--password-stdin", stdin="x" * 12)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["Error: A username has 3 to 80 characters."]


def test_a_command_before_the_schema_exists_says_to_upgrade(tmp_path):
    result = run_cli(tmp_path, "create-admin", "boss", "--password-stdin", stdin="x" * 12)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: Database sqlite:") and "stores-api db upgrade" in line


def test_db_upgrade_on_an_unreachable_database_is_one_line_and_exit_1(tmp_path):
    url = f"postgresql://postgres:hunter2-secret@127.0.0.1:{closed_port()}/stores"
    result = run_cli(tmp_path, "db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: Database postgresql+psycopg://postgres:***@127.0.0.1:")
    assert "Connection refused" in line
    assert "hunter2-secret" not in result.stderr


def test_a_short_secret_is_one_line_and_exit_2(tmp_path):
    result = run_cli(tmp_path, "db", "upgrade", env={"FLASK_JWT_SECRET_KEY": "short"})
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: FLASK_JWT_SECRET_KEY is too short")


def test_an_unknown_command_is_a_usage_error(tmp_path):
    result = run_cli(tmp_path, "seed-dmeo")
    assert result.returncode == 2
    assert "No such command 'seed-dmeo'" in result.stderr

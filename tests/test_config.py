"""Configuration comes from the environment; a weak secret stops the app from starting."""

import subprocess
import sys

import pytest

from stores_api import create_app
from stores_api.config import ConfigError, database_url


def test_app_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="FLASK_JWT_SECRET_KEY"):
        create_app({"JWT_SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_app_refuses_a_secret_shorter_than_32_bytes():
    with pytest.raises(ConfigError, match="too short"):
        create_app({"JWT_SECRET_KEY": "x" * 31, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def wsgi_import(env_secret: str | None, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    if env_secret is not None:
        env["FLASK_JWT_SECRET_KEY"] = env_secret
    return subprocess.run(
        [sys.executable, "-c", "import stores_api.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )


def test_wsgi_entry_refuses_to_start_without_a_secret_and_says_why(tmp_path):
    result = wsgi_import(None, tmp_path)
    assert result.returncode != 0
    assert "FLASK_JWT_SECRET_KEY is not set" in result.stderr


def test_wsgi_entry_starts_with_a_strong_secret_from_any_directory(tmp_path):
    result = wsgi_import("s" * 40, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_schemes_map_to_psycopg3(given, expected):
    assert database_url(given, "/instance") == expected


def test_default_database_is_sqlite_in_the_instance_folder():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/stores.db"


def test_jwt_settings_come_from_flask_prefixed_environment(monkeypatch):
    monkeypatch.setenv("FLASK_JWT_SECRET_KEY", "e" * 40)
    monkeypatch.setenv("FLASK_JWT_ACCESS_TOKEN_EXPIRES", "120")
    monkeypatch.setenv("FLASK_PASSWORD_MIN_LENGTH", "12")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["JWT_SECRET_KEY"] == "e" * 40
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"] == 120
    assert app.config["PASSWORD_MIN_LENGTH"] == 12

"""The stores REST API: create_app() builds the Flask app."""

from __future__ import annotations

from inspect import iscoroutinefunction
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory
from flask_cors import CORS
from werkzeug.routing import UnicodeConverter

from stores_api import diagnostics, read_connection, request_log
from stores_api.auth.passwords import init_password_hashing
from stores_api.config import load_config
from stores_api.errors import register_error_handlers
from stores_api.extensions import api, db, jwt, migrate
from stores_api.jsonio import OrjsonProvider
from stores_api.ratelimits import init_rate_limits
from stores_api.redis_client import init_redis
from stores_api.resources.docs import ErrorResponsesPlugin, name_parameter_schema

MIGRATIONS = str(Path(__file__).parent / "migrations")


class StoresApp(Flask):
    """Flask, remembering which functions are coroutines.

    Flask and each decorator layer ask ensure_sync() about every view and hook they call, a
    dozen times per request, and each answer walks the function with inspect: a twentieth of
    a cached read. Functions do not change kind, so the answer is kept per function (bounded:
    a per-request closure is checked, not kept, once the table is full).
    """

    MAX_REMEMBERED = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._is_coroutine: dict[Any, bool] = {}

    def ensure_sync(self, func):
        key = getattr(func, "__func__", func)
        try:
            is_coroutine = self._is_coroutine.get(key)
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
        if is_coroutine is None:
            is_coroutine = iscoroutinefunction(func)
            if len(self._is_coroutine) < self.MAX_REMEMBERED:
                self._is_coroutine[key] = is_coroutine
        return self.async_to_sync(func) if is_coroutine else func


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; config overrides the environment (used by tests)."""
    app = StoresApp(__name__, instance_relative_config=True, static_folder=None)
    app.json = OrjsonProvider(app)
    load_config(app, config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{app.instance_path}"):
        # Only the default SQLite file lives there; a read-only install elsewhere needs none.
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    read_connection.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    jwt.init_app(app)
    init_redis(app)
    init_rate_limits(app)
    init_password_hashing(app)
    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})
    _document_api()
    register_error_handlers(app)
    request_log.init_app(app)
    _allow_cross_origin(app)
    diagnostics.init_app(app)

    from stores_api import auth  # noqa: F401  (JWT callbacks register on import)
    from stores_api.auth import access  # noqa: F401
    from stores_api.resources import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(_swagger_ui_assets())
    _document_config_rules(app)

    from stores_api.cli import register_commands

    register_commands(app)
    return app


def _allow_cross_origin(app: Flask) -> None:
    """CORS with flask-cors, only for the origins in CORS_ORIGINS; with none it stays off.

    Tokens travel in the Authorization header, never in cookies: no credentials mode.
    """
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(
            app,
            origins=origins,
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "X-Request-ID"],
            supports_credentials=False,
            max_age=600,
        )


def _document_api() -> None:
    from stores_api.schemas.common import Money

    if "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        )
    api.register_field(Money, "number", None)
    api.ma_plugin.converter.add_attribute_function(_money_properties)
    api.register_converter(UnicodeConverter, name_parameter_schema)


def _money_properties(self, field, **kwargs) -> dict:
    """Money's rules in the spec: 0 to 99 999 999.99, whole cents."""
    from stores_api.schemas.common import MAX_PRICE, Money

    if isinstance(field, Money):
        return {"minimum": 0, "maximum": float(MAX_PRICE), "multipleOf": 0.01}
    return {}


def _document_config_rules(app: Flask) -> None:
    """Rules that come from the configuration, written into the spec where they apply."""
    minimum = int(app.config["PASSWORD_MIN_LENGTH"])
    for schema, field in (("Register", "password"), ("PasswordChange", "new_password")):
        spec = api.spec.components.schemas.get(schema)
        if spec:
            spec["properties"][field]["minLength"] = minimum


def _swagger_ui_assets() -> Blueprint:
    """Swagger UI's files from the swagger-ui-bundle package: /docs works with no internet."""
    assets = Blueprint("swagger_ui_assets", __name__)

    @assets.get("/docs/assets/<path:filename>")
    def swagger_ui_asset(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    return assets

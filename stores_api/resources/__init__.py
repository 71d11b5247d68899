"""One flask-smorest Blueprint per resource."""

from stores_api.resources.auth import blp as auth_blp
from stores_api.resources.health import blp as health_blp
from stores_api.resources.items import blp as items_blp
from stores_api.resources.stores import blp as stores_blp
from stores_api.resources.users import blp as users_blp

BLUEPRINTS = [auth_blp, users_blp, stores_blp, items_blp, health_blp]

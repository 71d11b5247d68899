"""The database models; each owns its queries."""

from stores_api.models.data_version import DataVersion
from stores_api.models.item import Item
from stores_api.models.session import Session
from stores_api.models.store import Store
from stores_api.models.user import User

__all__ = ["DataVersion", "Item", "Session", "Store", "User"]

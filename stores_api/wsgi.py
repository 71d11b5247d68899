"""WSGI entry point for uwsgi/gunicorn: `stores_api.wsgi:app`.

Refuses to start without FLASK_JWT_SECRET_KEY of at least 32 bytes (create_app says why).
"""

from stores_api import create_app
from stores_api.allocator import use_one_heap

use_one_heap()
app = create_app()

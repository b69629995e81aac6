"""WSGI entry point (gunicorn redengine.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
application = get_wsgi_application()

"""WSGI entry point, served by gunicorn (`northstar serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
application = get_wsgi_application()

# The default job backend runs jobs in the web process's own threads: start them with the app, so
# jobs queued before a restart are picked up without waiting for a new one.
from northstar.core.jobs import embedded_worker_start  # noqa: E402

embedded_worker_start()

"""WSGI entry point, served by gunicorn (`northstar serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
application = get_wsgi_application()

# The default job backend runs jobs in the web process's own threads: start them with the app, so
# jobs queued before a restart are picked up without waiting for a new one. The URL configuration
# (and with it every view and API module) is imported first, in this one thread: a job that renders
# links while the first request imports the same modules deadlocked Python's import locks (the
# demo's board pack, queued by `make demo`, did: the first pages answered 500).
from django.urls import get_resolver  # noqa: E402

from northstar.core.jobs import embedded_worker_start  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imported for its side effect
embedded_worker_start()

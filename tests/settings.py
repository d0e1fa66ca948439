"""Test settings: the real settings module, with a fixed key and static files served from the apps."""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("NORTHSTAR_DATA_DIR", tempfile.mkdtemp(prefix="northstar-test-"))

from northstar.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
NORTHSTAR_JOBS = "immediate"  # jobs run when the enqueuing transaction commits, in the test's thread
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only

# Each checkout gets its own PostgreSQL test database, so two working copies (or a developer and CI on
# one machine) can run the suite at once without dropping each other's database.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    _checkout = hashlib.sha1(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]  # noqa: S324
    DATABASES["default"]["TEST"] = {"NAME": f"test_northstar_{_checkout}"}  # noqa: F405

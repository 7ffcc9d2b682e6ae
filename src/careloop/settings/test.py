"""Settings for the test suite: the same stack, with fast hashing and captured email."""

from __future__ import annotations

import os

from careloop.settings.base import *  # noqa: F403
from careloop.settings.base import DATA_DIR, DATABASES

# Argon2 is exercised by its own test; hashing every factory-made user with it only costs time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a separate worker or server process can open the test database.
    # One file per run, so runs side by side (several shells, CI legs) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

# Tasks run inline in tests; the Celery path is exercised by its own test with a real worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Events reach subscribers inline too; the thread hand-off has its own test.
CARELOOP_EVENTS_IN_THREAD = False
# The tests' webhook receivers listen on 127.0.0.1.
CARELOOP_WEBHOOKS_ALLOW_PRIVATE = True
CARELOOP_WEBHOOK_TIMEOUT_S = 1.0

# Rules are read on every use: a test that changes an SLA target sees it at once.
CARELOOP_RULES_CACHE_S = 0.0

# Limits are tested on their own with low rates; elsewhere one test client is many "visitors".
CARELOOP_PUBLIC_FORM_RATE = "100000/m"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min"},
}

# WhiteNoise lists every static file each time a test client builds its middleware (tens of
# milliseconds, thousands of times a run); finding a file when it is asked for is enough here.
WHITENOISE_AUTOREFRESH = True

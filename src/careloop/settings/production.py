"""Settings for a real deployment: HTTPS, strict cookies, secrets only from the environment."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from careloop.settings.base import *  # noqa: F403

if not os.environ.get("CARELOOP_SECRET_KEY"):
    raise ImproperlyConfigured("Set CARELOOP_SECRET_KEY: production never uses the demo key.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("CARELOOP_SSL_REDIRECT", "true").lower() != "false"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Joining the browsers' HSTS preload list is hard to undo, so it is the operator's explicit choice.
SECURE_HSTS_PRELOAD = os.environ.get("CARELOOP_HSTS_PRELOAD", "").lower() in {"1", "true", "yes"}
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# A deployment serves real people: the demo builder, and its `careloop demo`, are not there.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in DEMO_APPS]  # noqa: F405

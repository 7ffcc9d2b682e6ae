"""System checks that catch a half-finished set-up before a person sees a broken page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import CheckMessage, Warning, register


@register()
def front_end_packages_installed(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # Looked up where the pages ask for it: settings serve vendor/ from npm's node_modules.
    if settings.WHITENOISE_USE_FINDERS and not finders.find("vendor/htmx/htmx.min.js"):
        return [
            Warning(
                "Front-end packages are missing, pages will lack htmx and styles.",
                hint="Run `npm ci` in the checkout (scripts/setup does this).",
                id="careloop.W001",
            )
        ]
    return []

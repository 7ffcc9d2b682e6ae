"""System checks that catch a half-finished set-up before a person sees a broken page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from careloop.settings.environment import node_modules_dir


@register()
def front_end_packages_installed(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    htmx = node_modules_dir() / "htmx.org" / "dist" / "htmx.min.js"
    if settings.WHITENOISE_USE_FINDERS and not htmx.exists():
        return [
            Warning(
                "Front-end packages are missing, pages will lack htmx and styles.",
                hint="Run `npm ci` in the checkout (scripts/setup does this).",
                id="careloop.W001",
            )
        ]
    return []

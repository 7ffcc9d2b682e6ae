"""Absolute addresses for what leaves the web page: emails, chat posts, webhook payloads.

A task has no request to build a URL from, so every such link starts from the one configured
base (`CARELOOP_BASE_URL`), whatever its trailing slash.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """`path` (starting with "/") under the configured base URL."""
    return settings.CARELOOP_BASE_URL.rstrip("/") + path


def absolute_url_for(view_name: str, *args: Any, **kwargs: Any) -> str:
    """The absolute address of a named view, reversed with `args` or `kwargs`."""
    return absolute_url(reverse(view_name, args=args or None, kwargs=kwargs or None))

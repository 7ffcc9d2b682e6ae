from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails


def refusal_text(refusal: ValidationError) -> str:
    """Why a service refused, as one sentence or more for a flash message."""
    return " ".join(refusal.messages)


@contextmanager
def refusal_shown(request: HttpRequest) -> Iterator[None]:
    """Run the block; when a service in it refuses (ValidationError), tell the user why and
    skip the rest of the block (its success message, say)."""
    try:
        yield
    except ValidationError as refusal:
        messages.error(request, refusal_text(refusal))

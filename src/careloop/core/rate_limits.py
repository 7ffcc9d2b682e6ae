"""Rate limits for everything the public can reach: forms, the chat widget and the API.

Sign-in is limited by allauth itself (ACCOUNT_RATE_LIMITS); API keys by
careloop.api.throttling. Counters live in the default
cache, which production shares between web nodes (Redis), so a limit holds across machines.
Only a hash of the client's address is kept, for at most the limit's window.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django_ratelimit.decorators import ratelimit

from careloop.core.permissions import ViewFunction


def public_form_limit(group: str) -> Callable[[ViewFunction], ViewFunction]:
    """Limit POSTs to a public view per client address (CARELOOP_PUBLIC_FORM_RATE)."""
    decorate: Callable[[ViewFunction], ViewFunction] = ratelimit(
        group=f"careloop.{group}",
        key="ip",
        rate=lambda group, request: settings.CARELOOP_PUBLIC_FORM_RATE,
        method=["POST"],
        block=True,
    )
    return decorate


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """What a rate-limited person sees: a plain page (or JSON for scripts) and when to retry."""
    response: HttpResponse
    if "json" in (request.content_type or "") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": "Too many requests; try again in a minute."}, status=429)
    else:
        response = HttpResponse(
            render_to_string("429.html", request=request), status=429, content_type="text/html"
        )
    response["Retry-After"] = "60"
    return response

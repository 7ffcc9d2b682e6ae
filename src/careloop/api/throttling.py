"""Requests per API key, counted in the shared cache so every web node sees the same count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:  # DRF imports this module while loading rest_framework.views
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per API key (CARELOOP_API_RATE), whichever web node answers them."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read per request (not once at import, as DRF does) so the setting can change.
        rates: Any = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        return rates.get(self.scope)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        key: Any = request.auth
        if key is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"key-{key.pk}"}

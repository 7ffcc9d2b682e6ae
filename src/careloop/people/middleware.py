from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from careloop.core.calendar import organisation_time


class OrganisationTimezoneMiddleware:
    """Show times in the organisation's time zone, to everyone; they are stored in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with organisation_time():
            return self.get_response(request)

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from careloop.people.selectors import current_organisation


class OrganisationTimezoneMiddleware:
    """Show times in the organisation's time zone; they are stored in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            timezone.activate(current_organisation().time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

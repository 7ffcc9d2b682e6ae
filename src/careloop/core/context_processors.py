from __future__ import annotations

from django.http import HttpRequest

from careloop.core.navigation import sections_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": sections_for(user)}

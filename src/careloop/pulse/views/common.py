from __future__ import annotations

from django.http import HttpRequest

from careloop.people.models import User


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from careloop.people.models import User


def employee(request: HttpRequest) -> User:
    """The signed-in employee; views guarded by `requires` always have one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in as an employee.")
    return user

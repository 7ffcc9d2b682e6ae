"""Coaching pages, one module per part. Thin: parse, call a service or selector, render.

Object-level refusals answer 404, as elsewhere: someone else's practice or review does not
exist for you.
"""

from __future__ import annotations

from django.http import HttpRequest

from careloop.people.models import User


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user

from __future__ import annotations

from django import template

from careloop.core.durations import describe_duration

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as a readable duration; empty when unknown."""
    return "" if seconds is None else describe_duration(int(seconds))

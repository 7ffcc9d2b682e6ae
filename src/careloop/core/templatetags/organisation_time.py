from __future__ import annotations

import datetime

from django import template

from careloop.core import calendar

register = template.Library()


@register.filter
def organisation_time(
    moment: datetime.datetime | None, format_string: str = calendar.DEADLINE_FORMAT
) -> str:
    """A moment in the organisation's zone, the same in pages and emails (see core.calendar)."""
    return calendar.format_moment(moment, format_string)

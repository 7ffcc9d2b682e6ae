from __future__ import annotations

from typing import Any

from django import template

from careloop.notifications.selectors import badge_context

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notification_badge(context: dict[str, Any]) -> dict[str, object]:
    """The navigation's unread badge, polled for changes."""
    return badge_context(context["user"])

from __future__ import annotations

from typing import Any

from django import template

from careloop.conversations.models import Customer
from careloop.core.permissions import Action, Principal, can

register = template.Library()


@register.filter
def may(user: Principal, action: str) -> bool:
    """`{% if user|may:"handle_concerns" %}`: the permission table, asked from a template."""
    return can(user, Action(action))


@register.inclusion_tag("feedback/_customer_voice.html", takes_context=True)
def customer_voice(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    """What the customer told us in surveys, for their profile page."""
    from careloop.feedback import selectors

    user = context.get("user")
    allowed = user is not None and can(user, Action.VIEW_FEEDBACK)
    return {"voice": selectors.voice_of(customer) if allowed else None}

from __future__ import annotations

from django import template

from careloop.coaching.models import MECHANISMS
from careloop.core.permissions import Action, Principal, can

register = template.Library()

MECHANISM_LABELS = {
    "emotional_reactions": "Emotional reaction",
    "interpretations": "Understanding shown",
    "explorations": "Exploring their needs",
}


@register.filter
def may(user: Principal, action: str) -> bool:
    """`{% if user|may:"manage_coaching" %}`: the same rule the views apply."""
    return can(user, Action(action))


@register.filter
def mechanism_label(name: str) -> str:
    return MECHANISM_LABELS.get(name, name)


@register.simple_tag
def mechanisms() -> tuple[str, ...]:
    return MECHANISMS

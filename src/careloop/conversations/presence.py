"""Who else has a conversation open right now, so two agents don't answer at once."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from careloop.people.models import User

PRESENCE_SECONDS = 30


def _key(conversation_id: int) -> str:
    return f"careloop:presence:{conversation_id}"


def mark_viewing(conversation_id: int, agent: User, *, drafting: bool = False) -> list[str]:
    """Record that `agent` has the conversation open; return the others who do too."""
    now = timezone.now().timestamp()
    viewers: dict[str, tuple[float, str, bool]] = cache.get(_key(conversation_id)) or {}
    viewers = {pk: v for pk, v in viewers.items() if now - v[0] < PRESENCE_SECONDS}
    viewers[str(agent.pk)] = (now, agent.full_name, drafting)
    cache.set(_key(conversation_id), viewers, PRESENCE_SECONDS)
    return [
        f"{name} is writing a reply" if is_drafting else f"{name} is viewing"
        for pk, (_, name, is_drafting) in sorted(viewers.items())
        if pk != str(agent.pk)
    ]

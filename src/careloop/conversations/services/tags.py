"""Tags on conversations, by name."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from careloop.conversations.models import Conversation, ConversationEvent, Tag
from careloop.conversations.services.figures import business_calendar, refresh_conversation
from careloop.conversations.services.timeline import _record
from careloop.people.models import User


def tag_slugs(names: Iterable[str]) -> list[str]:
    """The tags `names` mean, as stored: slugs, each once, sorted."""
    return sorted({slugify(name)[:60] for name in names if slugify(name)})


def _tags_named(names: set[str]) -> dict[str, Tag]:
    """The tags with these names, created where missing (safe when another request races)."""
    if not names:
        return {}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = names - tags.keys()
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        tags |= {tag.name: tag for tag in Tag.objects.filter(name__in=missing)}
    return tags


@transaction.atomic
def set_tags(conversation: Conversation, names: Iterable[str], actor: User | None) -> None:
    wanted = tag_slugs(names)
    tags = _tags_named(set(wanted))
    conversation.tags.set([tags[name] for name in wanted])
    _record(conversation, ConversationEvent.Kind.TAGGED, actor, tags=wanted)
    refresh_conversation(conversation, business_calendar())


def change_tags(
    conversation: Conversation, *, add: Iterable[str], remove: Iterable[str], actor: User | None
) -> None:
    """Add and remove tags by name, keeping the others."""
    from django.utils.text import slugify

    dropped = {slugify(name) for name in remove}
    kept = [tag.name for tag in conversation.tags.all() if tag.name not in dropped]
    set_tags(conversation, [*kept, *add], actor)

"""Reads for the notification centre: a person's own notifications, and who a note mentions."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Count, QuerySet, Window

from careloop.core.permissions import Action, holders
from careloop.notifications.models import DigestFrequency, Notification, NotificationSettings
from careloop.people.models import User

LIST_LENGTH = 100
POLL_SECONDS_DEFAULT = 20
# "@" that starts a mention, not the one inside an email address (name@example.com).
_MENTION_START = re.compile(r"(?<![\w.+-])@")
_WORD_CHARACTER = re.compile(r"[\w.-]")


def notifications_of(person: User) -> QuerySet[Notification]:
    """A person's notifications, newest first: nobody else's, whatever their role."""
    return Notification.objects.filter(recipient=person)


def unread_count(person: User) -> int:
    return notifications_of(person).filter(read_at__isnull=True).count()


def unread_summary(person: User) -> tuple[int, Notification | None]:
    """How many notifications `person` has not read, and the newest of them: one query (the
    navigation's badge shows both on every page)."""
    newest = (
        notifications_of(person)
        .filter(read_at__isnull=True)
        .annotate(unread_total=Window(Count("pk")))
        .first()
    )
    return (newest.unread_total, newest) if newest is not None else (0, None)


def poll_seconds() -> int:
    return int(getattr(settings, "CARELOOP_NOTIFICATION_POLL_SECONDS", POLL_SECONDS_DEFAULT))


def badge_context(user: object) -> dict[str, object]:
    """What the unread badge shows: the count, the latest unread, and how often it polls."""
    unread, latest = unread_summary(user)  # type: ignore[arg-type]
    return {"unread": unread, "latest": latest, "poll_seconds": poll_seconds()}


def digest_of(person: User) -> DigestFrequency:
    preferences = NotificationSettings.objects.filter(person=person).first()
    return DigestFrequency(preferences.digest) if preferences else DigestFrequency.OFF


def _mentions_at(text: str, start: int, handle: str) -> bool:
    """Whether `text` names `handle` right after the "@" at `start`, as a whole word."""
    end = start + 1 + len(handle)
    if text[start + 1 : end].casefold() != handle.casefold():
        return False
    return end == len(text) or not _WORD_CHARACTER.match(text[end])


def mentioned_people(text: str) -> list[User]:
    """Colleagues a note names as "@Full Name" or "@local-part" of their email address."""
    starts = [match.start() for match in _MENTION_START.finditer(text)]
    if not starts:
        return []
    mentioned = []
    for person in holders(Action.VIEW_DASHBOARD):
        handles = [h for h in (person.full_name.strip(), person.email.partition("@")[0]) if h]
        if any(_mentions_at(text, start, h) for start in starts for h in handles):
            mentioned.append(person)
    return mentioned

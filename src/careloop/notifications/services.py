"""Telling people in the app: one `notify` that every domain calls where its event happens.

Who is told is the caller's choice (an assignee, `recipients(...)` of the access policy);
`notify` then drops anyone who may not see the row under the action its kind is seen with,
so nobody learns of a note, gesture or task they could not open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url, absolute_url_for
from careloop.core.permissions import Action, Ownership, can, may
from careloop.core.privacy import (
    CustomerDataSource,
    CustomerIdentities,
    RetentionSource,
    register_customer_data,
    register_retention,
)
from careloop.notifications.models import DigestFrequency, Notification, NotificationSettings
from careloop.notifications.models import Kind as Kind  # callers name kinds through services
from careloop.people.models import User

# The action under which each kind's row is seen: a notification goes only to people who may
# take it on that row (or, for rows every holder sees, who hold it at all).
SEEN_UNDER: dict[Kind, Action] = {
    Kind.ASSIGNED: Action.USE_INBOX,
    Kind.CUSTOMER_REPLIED: Action.USE_INBOX,
    Kind.MENTIONED: Action.READ_INTERNAL_NOTES,
    Kind.APPROVAL_REQUESTED: Action.APPROVE_GESTURES,
    Kind.APPROVAL_DECIDED: Action.SEE_GESTURES,
    Kind.RECOVERY_DUE: Action.WORK_RECOVERY,
    Kind.ACTION_DUE: Action.SEE_ACTION_ITEMS,
    Kind.IDEA_ANSWERED: Action.USE_PULSE,
}

DIGEST_INTERVALS: dict[str, timedelta] = {
    DigestFrequency.HOURLY: timedelta(hours=1),
    DigestFrequency.DAILY: timedelta(days=1),
}
# A digest run a little early (an hourly schedule drifting) still counts as due.
DIGEST_SLACK = timedelta(minutes=5)
TEXT_LENGTH = 300


def target_key(target: Model) -> tuple[str, str]:
    return target._meta.label_lower, str(target.pk)


def may_see(person: User, action: Action, target: Model) -> bool:
    """`may` on rows that declare whose they are; `can` on rows every holder of it sees."""
    declared = getattr(type(target), "row_ownership", None)
    if isinstance(declared, Ownership) or (isinstance(declared, Mapping) and action in declared):
        return may(person, action, target)
    return can(person, action)


def notify(
    kind: Kind,
    people: Iterable[User | None],
    target: Model,
    text: str,
    *,
    url: str,
    actor: User | None = None,
    occasion: str = "",
) -> list[Notification]:
    """Tell each of `people` who may see `target` (never `actor`, who did it) about it, once.

    A repeat stays one notification: while an earlier one about the same row is unread, or,
    with an `occasion` (a due date), whenever that occasion was already told.
    """
    target_type, target_id = target_key(target)
    action = SEEN_UNDER[kind]
    told: list[Notification] = []
    for person in {person.pk: person for person in people if person is not None}.values():
        if actor is not None and person.pk == actor.pk:
            continue
        if not may_see(person, action, target):
            continue
        earlier = Notification.objects.filter(
            recipient=person, kind=kind, target_type=target_type, target_id=target_id
        )
        if occasion:
            earlier = earlier.filter(occasion=occasion)
        else:
            earlier = earlier.filter(occasion="", read_at__isnull=True)
        if earlier.exists():
            continue
        try:
            with transaction.atomic():
                told.append(
                    Notification.objects.create(
                        recipient=person,
                        kind=kind,
                        target_type=target_type,
                        target_id=target_id,
                        occasion=occasion,
                        text=" ".join(text.split())[:TEXT_LENGTH],
                        url=url,
                    )
                )
        except IntegrityError:
            continue  # a concurrent run told them first
    return told


def mark_read(notification: Notification, at: datetime | None = None) -> Notification:
    if notification.read_at is None:
        notification.read_at = at or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(person: User, at: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def set_digest(person: User, digest: DigestFrequency) -> NotificationSettings:
    preferences, _ = NotificationSettings.objects.update_or_create(
        person=person, defaults={"digest": digest}
    )
    return preferences


def _digest_due(preferences: NotificationSettings, now: datetime) -> bool:
    interval = DIGEST_INTERVALS.get(preferences.digest)
    if interval is None:
        return False
    last = preferences.last_digest_at
    return last is None or now - last >= interval - DIGEST_SLACK


def send_digest(preferences: NotificationSettings, now: datetime) -> int:
    """Email one person their unread notifications not emailed before; returns how many.

    Claimed before sending (the period, then each notification), so a second run sends
    nothing; released again if the email fails, so the next run sends it.
    """
    person = preferences.person
    if not person.is_active or not person.email or not _digest_due(preferences, now):
        return 0
    previous = preferences.last_digest_at
    claimed_period = NotificationSettings.objects.filter(
        pk=preferences.pk, last_digest_at=previous
    ).update(last_digest_at=now)
    if not claimed_period:
        return 0
    pending = list(
        Notification.objects.filter(
            recipient=person, read_at__isnull=True, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=pending, emailed_at__isnull=True).update(emailed_at=now)
    claimed = list(Notification.objects.filter(pk__in=pending, emailed_at=now).order_by("-pk"))
    if not claimed:
        return 0
    context: dict[str, Any] = {
        "person": person,
        "notifications": [(n, absolute_url(n.url)) for n in claimed],
        "list_url": absolute_url_for("notifications:list"),
    }
    try:
        # The subject holds no text anyone typed, so it is always one line.
        send_mail(
            subject=f"{len(claimed)} unread in careloop",
            message=render_to_string("notifications/digest_email.txt", context),
            from_email=None,
            recipient_list=[person.email],
        )
    except Exception:
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=None)
        NotificationSettings.objects.filter(pk=preferences.pk).update(last_digest_at=previous)
        raise
    return len(claimed)


def send_digests(now: datetime | None = None) -> int:
    """Every digest that is due; returns the number of notifications emailed."""
    now = now or timezone.now()
    everyone = NotificationSettings.objects.exclude(digest=DigestFrequency.OFF)
    return sum(send_digest(p, now) for p in everyone.select_related("person").order_by("pk"))


def _erase_customer_notifications(identities: CustomerIdentities) -> int:
    """Notifications name conversations by subject: those about the customer's go."""
    conversations = Notification.objects.filter(
        target_type="conversations.conversation",
        target_id__in=[str(pk) for pk in identities.conversation_ids],
    )
    messages = Notification.objects.filter(
        target_type="conversations.message",
        target_id__in=[str(pk) for pk in identities.message_ids],
    )
    return conversations.delete()[0] + messages.delete()[0]


def register_privacy_sources() -> None:
    register_customer_data(
        CustomerDataSource("notifications", export=None, erase=_erase_customer_notifications)
    )
    register_retention(
        RetentionSource(
            "read_notifications",
            "Read notifications",
            90,
            lambda cutoff: Notification.objects.filter(read_at__lt=cutoff).delete()[0],
        )
    )

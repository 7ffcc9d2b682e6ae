"""Writes for the idea box: every idea gets an answer within a set number of working days."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.actions.services import ActionItemDraft, create_action_item
from careloop.conversations.business_time import BusinessCalendar
from careloop.core import calendar, events
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.notifications import services as notifications
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation
from careloop.pulse.events import publish_idea
from careloop.pulse.models import Idea, IdeaStatus

# Every idea is answered within this many working days (a setting can change it).
RESPONSE_WORKING_DAYS: int = getattr(settings, "CARELOOP_IDEA_RESPONSE_WORKING_DAYS", 10)
ANSWERS = (IdeaStatus.ADOPTED, IdeaStatus.TRYING, IdeaStatus.NOT_NOW)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start`, skipping closed weekdays and holidays."""
    business = BusinessCalendar.for_organisation(current_organisation())
    working_weekdays = set(business.hours) or {0, 1, 2, 3, 4}
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() in working_weekdays and day not in business.holidays:
            counted += 1
    return day


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def submit_idea(
    *,
    title: str,
    body: str,
    author: User,
    anonymous: bool = False,
    team: Team | None = None,
    today: datetime.date | None = None,
) -> tuple[Idea, str | None]:
    """Store an idea; an anonymous one keeps no author and returns a follow-up code (not stored)."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError("An idea needs a title and a few words about it.")
    today = today or calendar.today()
    code = secrets.token_urlsafe(18) if anonymous else None
    idea = Idea.objects.create(
        title=title[:200],
        body=body,
        team=team,
        author=None if anonymous else author,
        follow_up_code_hash=_code_hash(code) if code else None,
        submitted_on=today,
        respond_by=add_working_days(today, RESPONSE_WORKING_DAYS),
    )
    return idea, code


def idea_for_code(code: str) -> Idea | None:
    if not code.strip():
        return None
    return Idea.objects.filter(follow_up_code_hash=_code_hash(code)).first()


@transaction.atomic
def respond_to_idea(
    idea: Idea,
    *,
    by: User,
    status: str,
    response: str,
    add_action: bool = False,
    today: datetime.date | None = None,
    notify: bool = True,
) -> Idea:
    """Answer: adopted, trying it, or not now, always with the reasons in words."""
    if not can(by, Action.ANSWER_IDEAS):
        raise PermissionDenied("Your role does not answer ideas.")
    if status not in ANSWERS:
        raise ValidationError("Answer with adopted, trying it or not now.")
    response = response.strip()
    if not response:
        raise ValidationError("Say why: even a reasoned “not now” keeps trust.")
    idea.status = status
    idea.response = response
    idea.responded_by = by
    idea.responded_on = today or calendar.today()
    if add_action and status != IdeaStatus.NOT_NOW and idea.action_item_id is None:
        idea.action_item = create_action_item(
            ActionItemDraft(
                title=idea.title,
                owner=by,
                source_kind=ActionItem.SourceKind.IDEA,
                source_label=f"Idea: {idea.title}",
            ),
            created_by=by,
        )
    idea.save()
    record_audit(by, "pulse.idea_answered", idea, summary=f"{idea.get_status_display()}")
    if notify:
        publish_idea(events.IDEA_ANSWERED, idea)
    if notify and idea.author is not None:
        notifications.notify(
            notifications.Kind.IDEA_ANSWERED,
            [idea.author],
            idea,
            f"Your idea was answered ({idea.get_status_display()}): {idea.title}",
            url=reverse("pulse:idea", kwargs={"pk": idea.pk}),
            actor=by,
        )
        from careloop.pulse.tasks import send_idea_answer

        transaction.on_commit(lambda: send_idea_answer.enqueue(str(idea.pk)))
    return idea


def claim_escalation(idea: Idea, today: datetime.date) -> bool:
    """Mark an overdue idea escalated; False when it already was (so each escalates once)."""
    return bool(
        Idea.objects.filter(pk=idea.pk, escalated_on__isnull=True).update(escalated_on=today)
    )


def announce_escalation(idea: Idea) -> None:
    """The idea's leads were told it is overdue: so are the subscribers (chat channels)."""
    publish_idea(events.IDEA_OVERDUE, idea)


def release_escalation(idea: Idea) -> None:
    Idea.objects.filter(pk=idea.pk).update(escalated_on=None)

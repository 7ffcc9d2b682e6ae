"""Writes to the action-item ledger and to feedback sessions: one function per use case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.actions.events import publish_done
from careloop.actions.models import ActionItem, AgendaItem, FeedbackSession
from careloop.actions.selectors import can_change_item, can_see_session
from careloop.core import calendar
from careloop.people.models import Team, User

DEFAULT_DUE_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class ActionItemDraft:
    """An item for the ledger: what is to be done, by whom, by when, and where it came from."""

    title: str
    owner: User
    source_kind: str
    source_id: int | None = None
    source_label: str = ""
    kind: str = "improvement"
    due: datetime.date | None = None
    recheck_on: datetime.date | None = None


def create_action_item(draft: ActionItemDraft, *, created_by: User | None = None) -> ActionItem:
    """Add an item to the ledger; due a week from today unless a date is given."""
    title = draft.title.strip()
    if not title:
        raise ValidationError("An action item needs a title.")
    if draft.source_kind not in ActionItem.SourceKind.values:
        raise ValidationError(f"Unknown action source: {draft.source_kind!r}.")
    if draft.kind not in ActionItem.Kind.values:
        raise ValidationError(f"Unknown action type: {draft.kind!r}.")
    return ActionItem.objects.create(
        title=title[:300],
        owner=draft.owner,
        source_kind=draft.source_kind,
        source_id=draft.source_id,
        source_label=draft.source_label[:200],
        kind=draft.kind,
        due=draft.due or calendar.today() + datetime.timedelta(days=DEFAULT_DUE_DAYS),
        recheck_on=draft.recheck_on,
        created_by=created_by,
    )


def change_status(
    item: ActionItem,
    *,
    by: User,
    status: str,
    evidence: str = "",
    dropped_reason: str = "",
    recheck_on: datetime.date | None = None,
) -> ActionItem:
    """Move an item on; done needs evidence of completion, dropped needs a reason."""
    if not can_change_item(by, item):
        raise PermissionDenied("Only the owner, the creator or their leads may change this item.")
    if status not in ActionItem.Status.values:
        raise ValidationError(f"Unknown status: {status!r}.")
    evidence = evidence.strip()
    dropped_reason = dropped_reason.strip()
    if status == ActionItem.Status.DONE and not evidence:
        raise ValidationError("Describe the evidence that this item is done.")
    if status == ActionItem.Status.DROPPED and not dropped_reason:
        raise ValidationError("Say why this item is dropped.")
    was_done = item.status == ActionItem.Status.DONE
    item.status = status
    if evidence:
        item.evidence = evidence
    if dropped_reason:
        item.dropped_reason = dropped_reason
    if recheck_on is not None:
        item.recheck_on = recheck_on
    item.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
    item.save()
    if status == ActionItem.Status.DONE and not was_done:
        publish_done(item)
    return item


def claim_reminder(item: ActionItem, today: datetime.date) -> bool:
    """Mark the item reminded today; False when someone already did, so each day sends once."""
    claimed = (
        ActionItem.objects.filter(pk=item.pk)
        .exclude(last_reminded_on=today)
        .update(last_reminded_on=today)
    )
    return bool(claimed)


def release_reminder(item: ActionItem, previous: datetime.date | None) -> None:
    ActionItem.objects.filter(pk=item.pk).update(last_reminded_on=previous)


def create_feedback_session(
    *,
    lead: User,
    title: str,
    next_on: datetime.date,
    person: User | None = None,
    team: Team | None = None,
    recurrence_days: int = 14,
) -> FeedbackSession:
    if (person is None) == (team is None):
        raise ValidationError("A feedback session is with one person or with one team.")
    if recurrence_days < 1:
        raise ValidationError("Sessions recur at least a day apart.")
    return FeedbackSession.objects.create(
        lead=lead,
        person=person,
        team=team,
        title=title.strip() or "Feedback session",
        next_on=next_on,
        recurrence_days=recurrence_days,
    )


def add_agenda_item(session: FeedbackSession, *, author: User, text: str) -> AgendaItem:
    if not can_see_session(author, session):
        raise PermissionDenied("Only the session's participants add to its agenda.")
    text = text.strip()
    if not text:
        raise ValidationError("An agenda item needs some text.")
    return AgendaItem.objects.create(session=session, author=author, text=text)


def next_session_date(
    session: FeedbackSession, today: datetime.date | None = None
) -> datetime.date:
    """The schedule's next date after today, skipping dates missed while no one recorded."""
    today = today or calendar.today()
    step = datetime.timedelta(days=session.recurrence_days)
    next_on = session.next_on + step
    if next_on <= today:
        missed = (today - next_on) // step + 1
        next_on += step * missed
    return next_on


def record_session(
    session: FeedbackSession,
    *,
    by: User,
    notes: str,
    action_titles: list[tuple[str, User]],
) -> list[ActionItem]:
    """Save the notes, put the agreed actions in the ledger and schedule the next session."""
    if by.pk != session.lead_id:
        raise PermissionDenied("The session's lead records its notes.")
    with transaction.atomic():
        session.notes = notes.strip()
        session.next_on = next_session_date(session)
        session.save(update_fields=["notes", "next_on"])
        return [
            create_action_item(
                ActionItemDraft(
                    title=title,
                    owner=owner,
                    source_kind=ActionItem.SourceKind.FEEDBACK_SESSION,
                    source_id=session.pk,
                    source_label=session.title,
                ),
                created_by=by,
            )
            for title, owner in action_titles
            if title.strip()
        ]

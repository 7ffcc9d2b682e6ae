"""Closed-loop recovery: every detractor gets a task with an owner and a 48-business-hour
target; contacts are logged, the outcome recorded and the causes tagged into a backlog."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.actions.services import ActionItemDraft, create_action_item
from careloop.conversations.services.figures import business_calendar
from careloop.core import events, scales
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, recipients
from careloop.core.scales import CES, CSAT, NPS
from careloop.feedback.events import publish_recovery
from careloop.feedback.models import CauseTag, RecoveryContact, RecoveryTask, SurveyResponse
from careloop.feedback.selectors import can_work_on_task
from careloop.people.models import User

TARGET_BUSINESS_HOURS = 48
MAX_CAUSES = 5


def detractor_reason(response: SurveyResponse) -> str:
    scores = ((NPS, response.nps), (CSAT, response.csat), (CES, response.ces))
    return ", ".join(scales.poor_scores(scores))


def owner_for(response: SurveyResponse) -> User | None:
    """The agent who handled the conversation, else the team's lead, else a CX leader or admin."""
    agent = response.agent
    if agent is not None and agent.is_active and agent.is_employee:
        return agent
    closest = recipients(Action.WORK_RECOVERY, response.team_id)
    return closest[0] if closest else None


def open_recovery_task(
    response: SurveyResponse, now: datetime.datetime | None = None, *, notify: bool = True
) -> RecoveryTask | None:
    """A task for a detractor's answer (once); None for others, or when nobody could own it."""
    if not response.is_detractor:
        return None
    existing = RecoveryTask.objects.filter(response=response).first()
    if existing is not None:
        return existing
    owner = owner_for(response)
    if owner is None:
        return None
    now = now or timezone.now()
    task = RecoveryTask.objects.create(
        response=response,
        customer=response.customer,
        team=response.team or owner.team,
        owner=owner,
        reason=detractor_reason(response),
        due_at=business_calendar().add_seconds(now, TARGET_BUSINESS_HOURS * 3600),
        created_at=now,
    )
    if notify:
        transaction.on_commit(lambda: _notify(task.pk))
        publish_recovery(events.RECOVERY_OPENED, task)
    return task


def _notify(task_id: int) -> None:
    from careloop.feedback.tasks import notify_recovery_owner

    notify_recovery_owner.enqueue(task_id)


def log_contact(
    task: RecoveryTask,
    *,
    by: User,
    channel: str,
    note: str,
    reached: bool = True,
    at: datetime.datetime | None = None,
) -> RecoveryContact:
    if not can_work_on_task(by, task):
        raise PermissionDenied("Only the owner, their lead or CX leaders work on this task.")
    if task.is_closed:
        raise ValidationError("This recovery task is closed.")
    if channel not in RecoveryContact.Channel.values:
        raise ValidationError(f"Unknown contact channel: {channel!r}.")
    note = note.strip()
    if not note:
        raise ValidationError("Note what was said or tried.")
    at = at or timezone.now()
    contact = RecoveryContact.objects.create(
        task=task, by=by, channel=channel, note=note, reached=reached, at=at
    )
    if task.first_contact_at is None:
        task.first_contact_at = at
    if task.status == RecoveryTask.Status.OPEN:
        task.status = RecoveryTask.Status.CONTACTED
    task.save(update_fields=["first_contact_at", "status"])
    return contact


def cause_tags(names: list[str]) -> list[CauseTag]:
    """Tags for the names given, matching existing ones whatever their case."""
    tags: list[CauseTag] = []
    for raw in names:
        name = " ".join(raw.split())[:80]
        if not name:
            continue
        tag = CauseTag.objects.filter(name__iexact=name).first() or CauseTag.objects.create(
            name=name[0].upper() + name[1:]
        )
        if tag not in tags:
            tags.append(tag)
    return tags[:MAX_CAUSES]


@transaction.atomic
def close_task(
    task: RecoveryTask,
    *,
    by: User,
    outcome: str,
    note: str = "",
    causes: Sequence[str] = (),
    at: datetime.datetime | None = None,
    thank_customer: bool = True,
) -> RecoveryTask:
    """Record the outcome and the causes; a recovered customer gets the thank-you email."""
    if not can_work_on_task(by, task):
        raise PermissionDenied("Only the owner, their lead or CX leaders close this task.")
    if task.is_closed:
        raise ValidationError("This recovery task is already closed.")
    if outcome not in RecoveryTask.Outcome.values:
        raise ValidationError("Choose an outcome: recovered, not recovered or no reply.")
    tags = cause_tags(list(causes))
    if outcome != RecoveryTask.Outcome.NO_REPLY and not tags:
        raise ValidationError("Tag at least one cause, so it reaches the cause backlog.")
    task.status = RecoveryTask.Status.CLOSED
    task.outcome = outcome
    task.outcome_note = note.strip()
    task.closed_at = at or timezone.now()
    task.closed_by = by
    task.save()
    task.causes.set(tags)
    record_audit(
        by, "recovery.closed", task, summary=f"{task.get_outcome_display()}: {task.customer}"
    )
    publish_recovery(events.RECOVERY_CLOSED, task)
    if outcome == RecoveryTask.Outcome.RECOVERED and thank_customer:
        customer_id = task.customer_id
        transaction.on_commit(lambda: _thank(customer_id))
    return task


def _thank(customer_id: int) -> None:
    from careloop.feedback.tasks import send_recovered_thank_you

    send_recovered_thank_you.enqueue(customer_id)


@transaction.atomic
def promote_cause(
    cause: CauseTag, *, by: User, owner: User, due: datetime.date | None = None
) -> ActionItem:
    """Turn a recurring cause into an item of the action ledger (once)."""
    if cause.action_item is not None:
        raise ValidationError("This cause is already an action item.")
    item = create_action_item(
        ActionItemDraft(
            title=f"Remove the cause: {cause.name}",
            owner=owner,
            source_kind=ActionItem.SourceKind.RECOVERY,
            source_id=cause.pk,
            source_label=cause.name,
            kind=ActionItem.Kind.PREVENT,
            due=due,
        ),
        created_by=by,
    )
    cause.action_item = item
    cause.save(update_fields=["action_item"])
    record_audit(by, "recovery.cause_promoted", cause, summary=cause.name)
    return item

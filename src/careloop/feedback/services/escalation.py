"""Targets that passed: a detractor not contacted within 48 business hours, a concern not
answered within its response SLA. Each is escalated once, by email, claimed before sending."""

from __future__ import annotations

import logging
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from careloop.core.permissions import Action, recipients
from careloop.feedback.models import Concern, RecoveryTask
from careloop.feedback.services import notices
from careloop.notifications import services as notifications

logger = logging.getLogger(__name__)


def _recipients_for(task: RecoveryTask) -> list[str]:
    """The owner, and the closest people who may work the task: the team's lead, else CX."""
    people = [task.owner] if task.owner.is_active else []
    people += recipients(Action.WORK_RECOVERY, task.team_id)
    return list(dict.fromkeys(person.email for person in people))


def escalate_overdue_recovery(now: datetime | None = None) -> int:
    """Tell the owner and their team lead about each task whose contact target passed."""
    now = now or timezone.now()
    overdue = RecoveryTask.objects.filter(
        status=RecoveryTask.Status.OPEN,
        first_contact_at__isnull=True,
        due_at__lt=now,
        escalated_at__isnull=True,
    ).select_related("owner", "team", "customer")
    sent = 0
    for task in overdue.order_by("due_at", "pk"):
        if not RecoveryTask.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            continue
        notifications.notify(
            notifications.Kind.RECOVERY_DUE,
            [task.owner, *recipients(Action.WORK_RECOVERY, task.team_id)],
            task,
            f"Recovery past its contact target ({task.reason})",
            url=reverse("feedback:recovery", kwargs={"pk": task.pk}),
            occasion=f"{task.due_at:%Y-%m-%d}",
        )
        try:
            notices.email_about_recovery(
                task,
                subject=f"Overdue recovery: {task.customer} ({task.reason})",
                template="feedback/recovery_overdue_email.txt",
                recipient_list=_recipients_for(task),
            )
        except Exception:
            RecoveryTask.objects.filter(pk=task.pk).update(escalated_at=None)
            logger.exception("Recovery task %s not escalated; tried again next run", task.pk)
            continue
        sent += 1
    return sent


def escalate_overdue_concerns(now: datetime | None = None) -> int:
    """Tell the concern handlers about each concern still unanswered past its SLA."""
    now = now or timezone.now()
    handlers = notices.concern_handler_emails()
    overdue = Concern.objects.filter(
        first_response_at__isnull=True,
        first_response_due__lt=now,
        escalated_at__isnull=True,
    ).exclude(status=Concern.Status.CLOSED)
    sent = 0
    for concern in overdue.order_by("first_response_due", "pk"):
        if not handlers:
            break
        if not Concern.objects.filter(pk=concern.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            continue
        try:
            notices.email_about_concern(
                concern,
                subject=f"Overdue: no answer yet to concern {concern.reference}",
                template="feedback/concern_overdue_email.txt",
                recipient_list=handlers,
            )
        except Exception:
            Concern.objects.filter(pk=concern.pk).update(escalated_at=None)
            logger.exception("Concern %s not escalated; tried again next run", concern.pk)
            continue
        sent += 1
    return sent

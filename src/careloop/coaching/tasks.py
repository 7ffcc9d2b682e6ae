"""Emails about QA reviews and coaching check-ins; each is claimed before sending, so a task
that runs twice sends once."""

from __future__ import annotations

import datetime
import logging

from django.db.models import Model
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from careloop.coaching.models import CoachingPlan, Dispute, QAReview
from careloop.core import calendar
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.people.models import User

logger = logging.getLogger(__name__)


def _claim(model: type[Model], pk: int, field: str) -> bool:
    return bool(
        model._default_manager.filter(pk=pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
    )


def _release(model: type[Model], pk: int, field: str) -> None:
    model._default_manager.filter(pk=pk).update(**{field: None})


def _url(name: str, pk: int) -> str:
    return absolute_url_for(name, pk=pk)


def _send(subject: str, body: str, people: list[User]) -> None:
    recipients = sorted({person.email for person in people if person.is_active and person.email})
    if recipients:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


@task()
def notify_review_shared(review_id: int) -> bool:
    """Tell the agent a review of their work is waiting to be acknowledged or disputed."""
    review = QAReview.objects.select_related("agent", "reviewer").get(pk=review_id)
    if review.calibration_id is not None or not _claim(QAReview, review.pk, "agent_notified_at"):
        return False
    context = {"review": review, "url": _url("coaching:review", review.pk), "event": "shared"}
    try:
        _send(
            f"A QA review of conversation #{review.conversation_id}",
            render_to_string("coaching/review_email.txt", context),
            [review.agent],
        )
    except Exception:
        _release(QAReview, review.pk, "agent_notified_at")
        raise
    return True


@task()
def notify_dispute(dispute_id: int) -> bool:
    """A new dispute goes to the reviewer; a resolution goes back to the agent."""
    dispute = Dispute.objects.select_related("review__agent", "review__reviewer").get(pk=dispute_id)
    review = dispute.review
    resolved = dispute.outcome != Dispute.Outcome.OPEN
    field = "resolved_notified_at" if resolved else "raised_notified_at"
    if not _claim(Dispute, dispute.pk, field):
        return False
    context = {
        "review": review,
        "dispute": dispute,
        "url": _url("coaching:review", review.pk),
        "event": "resolved" if resolved else "disputed",
    }
    try:
        _send(
            (
                f"Your dispute on conversation #{review.conversation_id}: "
                f"{dispute.get_outcome_display().lower()}"
            )
            if resolved
            else f"{review.agent.full_name} disputed a QA review",
            render_to_string("coaching/review_email.txt", context),
            [review.agent] if resolved else [review.reviewer],
        )
    except Exception:
        _release(Dispute, dispute.pk, field)
        raise
    return True


@task()
def send_check_in_reminders() -> int:
    """On a plan's check-in day, remind the person and their coach, once that day."""
    today = calendar.today()
    sent = 0
    due = CoachingPlan.objects.filter(
        status=CoachingPlan.Status.ACTIVE, next_check_in__lte=today
    ).select_related("person", "coach")
    for plan in due.exclude(last_reminded_on=today):
        previous: datetime.date | None = plan.last_reminded_on
        claimed = (
            CoachingPlan.objects.filter(pk=plan.pk)
            .exclude(last_reminded_on=today)
            .update(last_reminded_on=today)
        )
        if not claimed:
            continue
        context = {"plan": plan, "url": _url("coaching:plan", plan.pk), "today": today}
        try:
            _send(
                f"Coaching check-in: {plan.title}",
                render_to_string("coaching/check_in_email.txt", context),
                [plan.person, plan.coach],
            )
        except Exception:
            CoachingPlan.objects.filter(pk=plan.pk).update(last_reminded_on=previous)
            logger.exception("Check-in reminder for plan %s not sent", plan.pk)
            continue
        sent += 1
    return sent

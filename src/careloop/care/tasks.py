"""Background work for goodwill: delivering gestures to the shop and telling leads of requests."""

from __future__ import annotations

import logging

from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from careloop.care import execution, services
from careloop.care.models import Gesture, GestureStatus
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.core.permissions import Action, recipients
from careloop.notifications import services as notifications


def _what(gesture: Gesture) -> str:
    return f"{gesture.get_kind_display()} {gesture.amount} {gesture.currency}"


logger = logging.getLogger(__name__)


@task()
def deliver_gesture(gesture_pk: int) -> str:
    """One delivery attempt; safe to run twice (a claim lets only one attempt through)."""
    outcome = execution.deliver(gesture_pk)
    return outcome.value if outcome else "skipped"


@task()
def deliver_due_gestures() -> int:
    """Retry every gesture whose next delivery attempt is due."""
    return sum(1 for pk in execution.due_for_delivery() if execution.deliver(pk))


@task()
def notify_leads_of_request(gesture_pk: int) -> int:
    """Email the team's leads (else CX leadership) about a request; never the one who asked."""
    gesture = Gesture.objects.select_related("agent", "team", "customer").get(pk=gesture_pk)
    if gesture.status != GestureStatus.PENDING:
        return 0
    deciders = recipients(Action.APPROVE_GESTURES, gesture.team_id, excluding=gesture.agent)
    notifications.notify(
        notifications.Kind.APPROVAL_REQUESTED,
        deciders,
        gesture,
        f"{gesture.agent} asks you to approve {_what(gesture)}",
        url=reverse("care:approvals"),
    )
    addresses = [decider.email for decider in deciders]
    if not addresses:
        return 0
    url = absolute_url_for("care:approvals")
    send_mail(
        subject=f"Goodwill request: {gesture.get_kind_display()} {gesture.amount} "
        f"{gesture.currency}",
        message=render_to_string("care/request_email.txt", {"gesture": gesture, "url": url}),
        from_email=None,
        recipient_list=addresses,
    )
    return len(addresses)


@task()
def notify_agent_of_decision(gesture_pk: int) -> int:
    """Tell the agent what the lead decided, with the lead's reason."""
    gesture = Gesture.objects.select_related("agent", "decided_by", "customer").get(pk=gesture_pk)
    if gesture.status not in (GestureStatus.APPROVED, GestureStatus.DECLINED):
        return 0
    url = absolute_url_for("care:gesture", gesture.pk)
    notifications.notify(
        notifications.Kind.APPROVAL_DECIDED,
        [gesture.agent],
        gesture,
        f"{gesture.decided_by} {gesture.get_status_display().lower()} your {_what(gesture)}",
        url=reverse("care:gesture", args=[gesture.pk]),
        actor=gesture.decided_by,
    )
    send_mail(
        subject=f"{gesture.get_status_display()}: {gesture.get_kind_display()} for "
        f"{gesture.customer}",
        message=render_to_string("care/decision_email.txt", {"gesture": gesture, "url": url}),
        from_email=None,
        recipient_list=[gesture.agent.email],
    )
    return 1


@task()
def escalate_overdue_requests() -> int:
    """Email CX leadership once about each request a lead left past its SLA (not its giver)."""
    escalated = 0
    url = absolute_url_for("care:approvals")
    for gesture in services.claim_overdue_requests():
        # Past the team's leads: those who reach every team, the giver never among them.
        deciders = recipients(Action.APPROVE_GESTURES, None, excluding=gesture.agent)
        notifications.notify(
            notifications.Kind.APPROVAL_REQUESTED,
            deciders,
            gesture,
            f"Overdue: {gesture.agent} asks for {_what(gesture)}",
            url=reverse("care:approvals"),
            occasion="overdue",
        )
        addresses = [decider.email for decider in deciders]
        if addresses:
            try:
                send_mail(
                    subject=f"Overdue goodwill request: {gesture.get_kind_display()} "
                    f"{gesture.amount} {gesture.currency}",
                    message=render_to_string(
                        "care/request_email.txt", {"gesture": gesture, "url": url, "overdue": True}
                    ),
                    from_email=None,
                    recipient_list=addresses,
                )
            except Exception:
                logger.exception("Escalation of goodwill request %s not sent", gesture.pk)
                continue
        escalated += 1
    return escalated

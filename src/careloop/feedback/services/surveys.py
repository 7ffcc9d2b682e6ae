"""Survey writes: scheduling after a solved conversation or on the relationship schedule,
sending (with at most one reminder), and taking the customer's answer exactly once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from careloop.conversations.channels.visitor_links import VisitorLink
from careloop.conversations.models import FINISHED, Channel, Conversation, Customer, Message
from careloop.conversations.services.replies import post_automated_message
from careloop.core.links import absolute_url_for
from careloop.core.scales import CES, CSAT, NPS, Scale
from careloop.feedback import emails
from careloop.feedback.events import publish_survey_answer
from careloop.feedback.hooks import survey_answered
from careloop.feedback.models import (
    EmailOptOut,
    SurveyInvitation,
    SurveyKind,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveySettings,
)
from careloop.feedback.services.recovery import open_recovery_task
from careloop.feedback.tokens import (
    InvalidLink,
    chat_survey_token,
    new_survey_token,
    survey_token_hash,
)
from careloop.people.selectors import current_organisation

logger = logging.getLogger(__name__)

RELATIONSHIP_BATCH = 200
Status = SurveyInvitation.Status


class SurveyUnavailable(Exception):
    """The link cannot be answered; `status` is the HTTP status that fits (404 or 410)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def survey_settings() -> SurveySettings:
    found = SurveySettings.objects.order_by("pk").first()
    return found if found is not None else SurveySettings.objects.create()


@dataclass(frozen=True)
class AskedQuestions:
    csat: bool
    ces: bool
    nps: bool
    follow_ups: tuple[str, ...]


def asked_questions(invitation: SurveyInvitation) -> AskedQuestions:
    rules = survey_settings()
    follow_ups = tuple(
        SurveyQuestion.objects.filter(kind=invitation.kind, active=True).values_list(
            "text", flat=True
        )
    )
    if invitation.kind == SurveyKind.RELATIONSHIP:
        return AskedQuestions(csat=False, ces=False, nps=True, follow_ups=follow_ups)
    asks_something = rules.ask_csat or rules.ask_ces or rules.ask_nps_after_conversation
    return AskedQuestions(
        csat=rules.ask_csat or not asks_something,
        ces=rules.ask_ces,
        nps=rules.ask_nps_after_conversation,
        follow_ups=follow_ups,
    )


def in_quiet_period(
    customer: Customer,
    now: datetime,
    *,
    exclude: SurveyInvitation | None = None,
    rules: SurveySettings | None = None,
) -> bool:
    """Whether the customer was sent a survey within the quiet period (of `rules`, when the
    caller has just read them)."""
    rules = rules or survey_settings()
    since = now - timedelta(days=rules.quiet_period_days)
    recent = SurveyInvitation.objects.filter(customer=customer, sent_at__gte=since)
    if exclude is not None:
        recent = recent.exclude(pk=exclude.pk)
    return recent.exists()


def _skip_reason(
    customer: Customer, now: datetime, delivery: str, rules: SurveySettings | None = None
) -> str:
    if EmailOptOut.objects.filter(customer=customer).exists():
        return "The customer unsubscribed."
    if delivery == SurveyInvitation.Delivery.EMAIL and not customer.email:
        return "No email address."
    if in_quiet_period(customer, now, rules=rules):
        return "Quiet period: surveyed recently."
    return ""


def survey_delay(rules: SurveySettings) -> timedelta:
    """How long after a solve its survey goes out: the organisation's hours, unless the
    CARELOOP_SURVEY_DELAY setting (which only the demo sets) says otherwise."""
    configured: timedelta | None = settings.CARELOOP_SURVEY_DELAY
    return configured if configured is not None else timedelta(hours=rules.delay_hours)


@transaction.atomic
def schedule_post_resolution_survey(
    conversation: Conversation, now: datetime | None = None, *, rules: SurveySettings | None = None
) -> SurveyInvitation | None:
    """Schedule the survey for a solved conversation, once; None when surveys are switched off.
    A caller scheduling many at once may pass the survey settings it read (`rules`)."""
    now = now or timezone.now()
    rules = rules or survey_settings()
    if not rules.post_resolution_enabled:
        return None
    existing = SurveyInvitation.objects.filter(
        conversation=conversation, kind=SurveyKind.POST_RESOLUTION
    ).first()
    if existing is not None:
        return existing
    customer = conversation.customer
    delivery = (
        SurveyInvitation.Delivery.CHAT
        if conversation.channel == Channel.CHAT
        else SurveyInvitation.Delivery.EMAIL
    )
    reason = _skip_reason(customer, now, delivery, rules)
    if (
        not reason
        and SurveyInvitation.objects.filter(customer=customer, status=Status.SCHEDULED).exists()
    ):
        reason = "Another survey is already scheduled for this customer."
    return SurveyInvitation.objects.create(
        kind=SurveyKind.POST_RESOLUTION,
        customer=customer,
        conversation=conversation,
        team_id=conversation.team_id,
        agent_id=conversation.assignee_id,
        delivery=delivery,
        status=Status.SKIPPED if reason else Status.SCHEDULED,
        skip_reason=reason,
        send_after=now + survey_delay(rules),
        created_at=now,
    )


def schedule_relationship_surveys(now: datetime | None = None) -> int:
    """Invite customers due their periodic NPS survey (a batch per run); safe to run twice."""
    now = now or timezone.now()
    rules = survey_settings()
    if not rules.relationship_enabled:
        return 0
    asked_since = now - timedelta(days=rules.relationship_every_days)
    quiet_since = now - timedelta(days=rules.quiet_period_days)
    due = (
        Customer.objects.filter(
            merged_into__isnull=True,
            email__isnull=False,
            email_opt_out__isnull=True,
            conversations__status__in=FINISHED,
            created_at__lte=quiet_since,
        )
        .exclude(
            survey_invitations__in=SurveyInvitation.objects.filter(
                Q(kind=SurveyKind.RELATIONSHIP, created_at__gte=asked_since)
                | Q(sent_at__gte=quiet_since)
                | Q(status=Status.SCHEDULED)
            )
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")[:RELATIONSHIP_BATCH]
    )
    created = 0
    for customer in due:
        latest = customer.conversations.order_by("-created_at").first()
        SurveyInvitation.objects.create(
            kind=SurveyKind.RELATIONSHIP,
            customer=customer,
            team_id=latest.team_id if latest else None,
            agent_id=latest.assignee_id if latest else None,
            send_after=now,
            created_at=now,
        )
        created += 1
    return created


def _new_link(invitation: SurveyInvitation, now: datetime) -> str:
    signed, token_hash = new_survey_token()
    SurveyLink.objects.create(invitation=invitation, token_hash=token_hash, created_at=now)
    return absolute_url_for("feedback:answer", token=signed)


def _email_context(invitation: SurveyInvitation, link: str) -> dict[str, object]:
    return {
        "invitation": invitation,
        "customer": invitation.customer,
        "organisation": current_organisation(),
        "link": link,
        "asked": asked_questions(invitation),
        "valid_days": survey_settings().link_valid_days,
    }


CHAT_SURVEY_INVITATION = "Thanks for chatting with us. How did we do? It takes a minute."
CHAT_SURVEY_NOTE = (
    "Survey sent. The customer sees the survey link in their own chat; "
    "the team never sees or uses it."
)


def _post_in_chat(invitation: SurveyInvitation, conversation: Conversation, now: datetime) -> None:
    """The team's thread reads "survey sent"; the link is shown to the visitor only."""
    _, token_hash = chat_survey_token(invitation.pk)
    SurveyLink.objects.get_or_create(
        token_hash=token_hash, defaults={"invitation": invitation, "created_at": now}
    )
    message = post_automated_message(conversation, CHAT_SURVEY_NOTE, at=now)
    invitation.chat_message = message
    invitation.save(update_fields=["chat_message"])


def chat_survey_links(
    messages: Sequence[Message], now: datetime | None = None
) -> dict[int, VisitorLink]:
    """For the chat visitor only: the survey link behind each "survey sent" message."""
    now = now or timezone.now()
    invitations = SurveyInvitation.objects.filter(
        chat_message_id__in=[message.pk for message in messages]
    )
    links: dict[int, VisitorLink] = {}
    for invitation in invitations:
        assert invitation.chat_message_id is not None
        if invitation.answered_at is not None:
            link = VisitorLink("Thank you for answering our survey.")
        elif invitation.expires_at is None or invitation.expires_at <= now:
            link = VisitorLink("Our survey about this chat has closed.")
        else:
            signed, _ = chat_survey_token(invitation.pk)
            url = absolute_url_for("feedback:answer", token=signed)
            link = VisitorLink(CHAT_SURVEY_INVITATION, url, "Answer the survey")
        links[invitation.chat_message_id] = link
    return links


def _deliver(invitation: SurveyInvitation, now: datetime, *, reminder: bool) -> bool:
    link = _new_link(invitation, now)
    context = {**_email_context(invitation, link), "reminder": reminder}
    delivered = False
    if (
        not reminder
        and invitation.delivery == SurveyInvitation.Delivery.CHAT
        and invitation.conversation is not None
    ):
        _post_in_chat(invitation, invitation.conversation, now)
        delivered = True
    subject = ("Reminder: " if reminder else "") + (
        "How likely are you to recommend us?"
        if invitation.kind == SurveyKind.RELATIONSHIP
        else "How did we do?"
    )
    if emails.send_customer_email(
        invitation.customer,
        subject=subject,
        body=render_to_string("feedback/survey_email.txt", context),
    ):
        delivered = True
    return delivered


def send_survey(invitation: SurveyInvitation, now: datetime | None = None) -> bool:
    """Send one due invitation, or skip it with a reason. Claimed first: never sent twice."""
    now = now or timezone.now()
    reason = _skip_reason(invitation.customer, now, invitation.delivery)
    if (
        not reason
        and invitation.conversation is not None
        and invitation.conversation.status not in FINISHED
    ):
        reason = "The conversation was reopened."
    if reason:
        SurveyInvitation.objects.filter(pk=invitation.pk, status=Status.SCHEDULED).update(
            status=Status.SKIPPED, skip_reason=reason
        )
        return False
    expires = now + timedelta(days=survey_settings().link_valid_days)
    claimed = SurveyInvitation.objects.filter(pk=invitation.pk, status=Status.SCHEDULED).update(
        status=Status.SENT, sent_at=now, expires_at=expires
    )
    if not claimed:
        return False
    invitation.refresh_from_db()
    try:
        delivered = _deliver(invitation, now, reminder=False)
    except Exception:
        # Unclaimed, so the next run sends what did not go out.
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            status=Status.SCHEDULED, sent_at=None, expires_at=None
        )
        invitation.links.all().delete()
        raise
    if not delivered:
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            status=Status.SKIPPED, skip_reason="No way to reach the customer."
        )
    return delivered


def send_reminder(invitation: SurveyInvitation, now: datetime | None = None) -> bool:
    """The one reminder, by email, with a fresh link (the first keeps working)."""
    now = now or timezone.now()
    claimed = SurveyInvitation.objects.filter(
        pk=invitation.pk, status=Status.SENT, reminded_at__isnull=True
    ).update(reminded_at=now)
    if not claimed:
        return False
    try:
        return _deliver(invitation, now, reminder=True)
    except Exception:
        SurveyInvitation.objects.filter(pk=invitation.pk).update(reminded_at=None)
        raise


def send_due_surveys(now: datetime | None = None) -> tuple[int, int]:
    """Send every due survey and every due reminder; returns (surveys, reminders) sent."""
    now = now or timezone.now()
    sent = reminded = 0
    due = SurveyInvitation.objects.filter(status=Status.SCHEDULED, send_after__lte=now)
    for invitation in due.select_related("customer", "conversation").order_by("send_after", "pk"):
        try:
            sent += send_survey(invitation, now)
        except Exception:
            logger.exception("Survey %s could not be sent; it is tried again.", invitation.pk)
    remind_before = now - timedelta(days=survey_settings().reminder_after_days)
    reminders = SurveyInvitation.objects.filter(
        status=Status.SENT,
        reminded_at__isnull=True,
        sent_at__lte=remind_before,
        expires_at__gt=now,
        customer__email_opt_out__isnull=True,
    ).select_related("customer")
    for invitation in reminders.order_by("sent_at", "pk"):
        try:
            reminded += send_reminder(invitation, now)
        except Exception:
            logger.exception("Reminder %s could not be sent; it is tried again.", invitation.pk)
    return sent, reminded


def invitation_for_link(signed_token: str, now: datetime | None = None) -> SurveyInvitation:
    """The invitation a link opens; SurveyUnavailable if forged, unknown, used or expired."""
    now = now or timezone.now()
    try:
        token_hash = survey_token_hash(signed_token, survey_settings().link_valid_days)
    except InvalidLink as problem:
        status = 410 if "expired" in str(problem) else 404
        raise SurveyUnavailable(str(problem), status) from problem
    link = (
        SurveyLink.objects.select_related("invitation__customer", "invitation__conversation")
        .filter(token_hash=token_hash)
        .first()
    )
    if link is None:
        raise SurveyUnavailable("This survey link is not valid.", 404)
    invitation = link.invitation
    if invitation.answered_at is not None:
        raise SurveyUnavailable("This survey has already been answered. Thank you!", 410)
    if invitation.expires_at is None or invitation.expires_at <= now:
        raise SurveyUnavailable("This survey link has expired.", 410)
    return invitation


def _checked(value: int | None, scale: Scale, label: str, asked: bool) -> int | None:
    if not asked:
        return None
    if value is None:
        raise ValidationError(f"Please choose a {label} score.")
    if not scale.holds(value):
        raise ValidationError(f"{label} is scored from {scale.low} to {scale.high}.")
    return value


def submit_answers(
    invitation: SurveyInvitation,
    *,
    csat: int | None = None,
    ces: int | None = None,
    nps: int | None = None,
    comment: str = "",
    answers: dict[str, str] | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> SurveyResponse:
    """Store the answer once (a second submit raises SurveyUnavailable); detractors open a
    recovery task; survey_answered's subscribers are told once it commits."""
    now = now or timezone.now()
    asked = asked_questions(invitation)
    scores = {
        "csat": _checked(csat, CSAT, "CSAT", asked.csat),
        "ces": _checked(ces, CES, "Effort", asked.ces),
        "nps": _checked(nps, NPS, "Recommendation", asked.nps),
    }
    follow_ups = [
        {"question": question, "answer": (answers or {}).get(question, "").strip()[:2000]}
        for question in asked.follow_ups
        if (answers or {}).get(question, "").strip()
    ]
    with transaction.atomic():
        claimed = SurveyInvitation.objects.filter(
            pk=invitation.pk, answered_at__isnull=True, status=Status.SENT
        ).update(answered_at=now, status=Status.ANSWERED)
        if not claimed:
            raise SurveyUnavailable("This survey has already been answered. Thank you!", 410)
        response = SurveyResponse.objects.create(
            invitation=invitation,
            kind=invitation.kind,
            customer=invitation.customer,
            conversation=invitation.conversation,
            team_id=invitation.team_id,
            agent_id=invitation.agent_id,
            comment=comment.strip()[:5000],
            answers=follow_ups,
            answered_at=now,
            **scores,
        )
        open_recovery_task(response, now=now, notify=notify)
        if notify:
            publish_survey_answer(response)
        survey_answered.call(response)
    return response

"""Background work for team voice: the survey schedule, the one reminder, idea escalation.

Every task is safe to run twice: rounds open once per number, the reminder and each escalation
are claimed in the database before any email goes out.
"""

from __future__ import annotations

import datetime
import logging

from django.tasks import task
from django.template.loader import render_to_string

from careloop.core import calendar
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.pulse.models import FeedbackRequest, Idea, Invitation, Round, SurveyStatus
from careloop.pulse.selectors.ideas import escalation_recipients, overdue_ideas
from careloop.pulse.services import ideas as idea_services
from careloop.pulse.services import surveys as survey_services

logger = logging.getLogger(__name__)


def _url(name: str, **kwargs: object) -> str:
    return absolute_url_for(name, **kwargs)


def _email_invitee(invitation: Invitation, pulse_round: Round, body: str) -> None:
    """One email of the round (its announcement or its reminder) to one person asked."""
    send_mail(
        subject=f"Your voice counts: {pulse_round.survey.title}",
        message=body,
        from_email=None,
        recipient_list=[invitation.person.email],
    )


def rounds_due_a_reminder(today: datetime.date) -> list[Round]:
    rounds = Round.objects.filter(
        survey__status=SurveyStatus.LIVE,
        closed_on__isnull=True,
        reminder_sent_on__isnull=True,
        opens_on__lte=today,
        closes_on__gte=today,
    ).select_related("survey")
    return [
        r
        for r in rounds
        if r.opens_on + datetime.timedelta(days=r.survey.reminder_after_days) <= today
    ]


def send_round_reminders(today: datetime.date) -> int:
    """The one reminder per round, to each person who has not answered, and only to them.

    It goes to the person alone: no lead is told who has or has not answered.
    """
    sent = 0
    for pulse_round in rounds_due_a_reminder(today):
        if not survey_services.claim_round_reminder(pulse_round, today):
            continue
        waiting = Invitation.objects.filter(
            round=pulse_round, answered=False, reminded=False, person__is_active=True
        ).select_related("person")
        context = {
            "round": pulse_round,
            "survey": pulse_round.survey,
            "answer_url": _url("pulse:answer", pk=pulse_round.pk),
        }
        body = render_to_string("pulse/reminder_email.txt", context)
        for invitation in waiting:
            # Claimed per person too, so a retry after a failed send skips those already told.
            if not Invitation.objects.filter(pk=invitation.pk, reminded=False).update(
                reminded=True
            ):
                continue
            try:
                _email_invitee(invitation, pulse_round, body)
            except Exception:
                Invitation.objects.filter(pk=invitation.pk).update(reminded=False)
                logger.exception("Pulse reminder %s not sent; tried again next run", invitation.pk)
                continue
            sent += 1
    return sent


@task()
def announce_round(round_id: int) -> int:
    """Tell everyone asked that a round is open; once per round."""
    pulse_round = Round.objects.select_related("survey").filter(pk=round_id).first()
    today = calendar.today()
    if pulse_round is None or not pulse_round.is_open(today):
        return 0
    if not survey_services.claim_round_announcement(pulse_round, today):
        return 0
    body = render_to_string(
        "pulse/announcement_email.txt",
        {
            "round": pulse_round,
            "survey": pulse_round.survey,
            "answer_url": _url("pulse:answer", pk=pulse_round.pk),
        },
    )
    sent = 0
    for invitation in pulse_round.invitations.filter(person__is_active=True).select_related(
        "person"
    ):
        try:
            _email_invitee(invitation, pulse_round, body)
        except Exception:
            logger.exception("Round announcement to invitation %s not sent", invitation.pk)
            continue
        sent += 1
    return sent


@task()
def run_pulse_schedule() -> int:
    """Open due rounds, close finished ones, send the one reminder; returns reminders sent."""
    today = calendar.today()
    survey_services.run_schedule(today)
    return send_round_reminders(today)


@task()
def escalate_overdue_ideas() -> int:
    """Tell the leads of the idea's team and the people partners about unanswered ideas, once."""
    today = calendar.today()
    escalated = 0
    for idea in overdue_ideas(today).filter(escalated_on__isnull=True):
        if not idea_services.claim_escalation(idea, today):
            continue
        recipients = [person.email for person in escalation_recipients(idea)]
        if recipients:
            try:
                send_mail(
                    subject=f"An idea is waiting for its answer: {idea.title}",
                    message=render_to_string(
                        "pulse/idea_escalation_email.txt",
                        {"idea": idea, "idea_url": _url("pulse:idea", pk=idea.pk)},
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
            except Exception:
                idea_services.release_escalation(idea)
                logger.exception("Idea %s not escalated; tried again next run", idea.pk)
                continue
        idea_services.announce_escalation(idea)
        escalated += 1
    return escalated


@task()
def send_idea_answer(idea_id: str) -> None:
    """Tell a named submitter their idea was answered (anonymous ones read it with their code)."""
    idea = Idea.objects.select_related("author").filter(pk=idea_id).first()
    if idea is None or idea.author is None:
        return
    send_mail(
        subject=f"Your idea has an answer: {idea.title}",
        message=render_to_string(
            "pulse/idea_answer_email.txt",
            {"idea": idea, "idea_url": _url("pulse:idea", pk=idea.pk)},
        ),
        from_email=None,
        recipient_list=[idea.author.email],
    )


@task()
def send_feedback_invitations(request_id: int) -> None:
    request = FeedbackRequest.objects.select_related("subject").filter(pk=request_id).first()
    if request is None:
        return
    for seat in request.reviewers.filter(answered=False).select_related("reviewer"):
        try:
            send_mail(
                subject=f"{request.subject} asks for your feedback",
                message=render_to_string(
                    "pulse/feedback_invitation_email.txt",
                    {
                        "request": request,
                        "seat": seat,
                        "answer_url": _url("pulse:feedback-answer", pk=request.pk),
                    },
                ),
                from_email=None,
                recipient_list=[seat.reviewer.email],
            )
        except Exception:
            logger.exception("Feedback invitation for seat %s not sent", seat.pk)

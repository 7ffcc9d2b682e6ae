"""Writes for 360° feedback: asking colleagues, answering in situation–behaviour–impact form."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.core import calendar, shuffled_storage
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, Reach, can, reach
from careloop.empathy.engine import find_blame_language
from careloop.empathy.rules import Flag
from careloop.people.models import User
from careloop.pulse.models import (
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackReviewer,
    FeedbackShare,
    Relationship,
)

DEFAULT_DAYS_TO_ANSWER = 14
MAX_REVIEWERS = 15


class AlreadyAnswered(Exception):
    pass


def relationship_between(subject: User, reviewer: User) -> str:
    """How the reviewer stands to the subject: their lead, a direct report, or a peer."""
    same_team = subject.team_id is not None and subject.team_id == reviewer.team_id
    reviewer_leads, subject_leads = _leads_a_team(reviewer), _leads_a_team(subject)
    if same_team and reviewer_leads and not subject_leads:
        return Relationship.LEAD
    if same_team and subject_leads and not reviewer_leads:
        return Relationship.REPORT
    return Relationship.PEER


def _leads_a_team(person: User) -> bool:
    """Whether the person coaches their team: a lead (the coaching rule in core.permissions)."""
    return reach(person, Action.COACH_PEOPLE) is Reach.TEAM


@transaction.atomic
def request_feedback(
    subject: User,
    reviewers: Iterable[User],
    *,
    focus: str = "",
    due_on: datetime.date | None = None,
    requested_on: datetime.date | None = None,
    notify: bool = True,
) -> FeedbackRequest:
    """Ask colleagues for feedback; each is told how they relate to the person asking."""
    chosen = {person.pk: person for person in reviewers if person.pk != subject.pk}
    if not chosen:
        raise ValidationError("Ask at least one colleague (not yourself).")
    if len(chosen) > MAX_REVIEWERS:
        raise ValidationError(f"Ask at most {MAX_REVIEWERS} people: feedback takes their time.")
    if any(not can(p, Action.USE_PULSE) for p in chosen.values()):
        raise ValidationError("Only active colleagues can be asked.")
    requested_on = requested_on or calendar.today()
    request = FeedbackRequest.objects.create(
        subject=subject,
        focus=focus.strip(),
        requested_on=requested_on,
        due_on=due_on or requested_on + datetime.timedelta(days=DEFAULT_DAYS_TO_ANSWER),
    )
    FeedbackReviewer.objects.bulk_create(
        FeedbackReviewer(
            request=request, reviewer=person, relationship=relationship_between(subject, person)
        )
        for person in chosen.values()
    )
    if notify:
        from careloop.pulse.tasks import send_feedback_invitations

        transaction.on_commit(lambda: send_feedback_invitations.enqueue(request.pk))
    return request


@dataclass(frozen=True, kw_only=True)
class FeedbackAnswerDraft:
    """One reviewer's answer: a strength, and optionally something to grow, each told as
    situation, behaviour and impact."""

    strength_situation: str
    strength_behaviour: str
    strength_impact: str
    growth_situation: str = ""
    growth_behaviour: str = ""
    growth_impact: str = ""


@transaction.atomic
def answer_feedback(
    request: FeedbackRequest, reviewer: User, answer: FeedbackAnswerDraft
) -> FeedbackAnswer:
    """Store an answer with its relationship only; who wrote it is not kept with it."""
    if request.closed:
        raise ValidationError("This feedback request is closed.")
    seat = FeedbackReviewer.objects.filter(request=request, reviewer=reviewer).first()
    if seat is None:
        raise PermissionDenied("You were not asked for this feedback.")
    strength = [
        answer.strength_situation.strip(),
        answer.strength_behaviour.strip(),
        answer.strength_impact.strip(),
    ]
    if not all(strength):
        raise ValidationError("Describe the situation, the behaviour and its impact.")
    growth = [
        answer.growth_situation.strip(),
        answer.growth_behaviour.strip(),
        answer.growth_impact.strip(),
    ]
    if any(growth) and not all(growth):
        raise ValidationError("For something to grow, give the situation, behaviour and impact.")
    if not FeedbackReviewer.objects.filter(pk=seat.pk, answered=False).update(answered=True):
        raise AlreadyAnswered("You have already answered. Thank you.")
    stored = FeedbackAnswer.objects.create(
        request=request,
        relationship=seat.relationship,
        strength_situation=strength[0],
        strength_behaviour=strength[1],
        strength_impact=strength[2],
        growth_situation=growth[0],
        growth_behaviour=growth[1],
        growth_impact=growth[2],
    )
    # Stored order would say whose answer came last: the request's answers are rewritten shuffled.
    FeedbackRequest.objects.select_for_update().filter(pk=request.pk).first()
    shuffled_storage.rewrite_in_random_order(FeedbackAnswer.objects.filter(request=request))
    return stored


def growth_flags(answer: Mapping[str, str]) -> list[tuple[str, Flag]]:
    """Blame-language notes on the "something to grow" part, to reframe before sending.

    Feedback about behaviour lands better than judgement of a person; the coach only suggests.
    """
    parts = (
        ("Situation", answer.get("growth_situation", "")),
        ("Behaviour", answer.get("growth_behaviour", "")),
        ("Impact", answer.get("growth_impact", "")),
    )
    return [
        (label, flag) for label, text in parts if text.strip() for flag in find_blame_language(text)
    ]


def share_feedback(request: FeedbackRequest, *, by: User, person: User) -> FeedbackShare:
    """Only the person the feedback is about decides who else reads it."""
    if by.pk != request.subject_id:
        raise PermissionDenied("Only the person the feedback is about shares it.")
    if person.pk == request.subject_id:
        raise ValidationError("This is already yours.")
    share, _ = FeedbackShare.objects.get_or_create(
        request=request, person=person, defaults={"shared_on": calendar.today()}
    )
    record_audit(by, "pulse.feedback_shared", request, summary=f"with {person.email}")
    return share


def stop_sharing(request: FeedbackRequest, *, by: User, person: User) -> None:
    if by.pk != request.subject_id:
        raise PermissionDenied("Only the person the feedback is about shares it.")
    FeedbackShare.objects.filter(request=request, person=person).delete()


def close_request(request: FeedbackRequest, *, by: User) -> FeedbackRequest:
    if by.pk != request.subject_id:
        raise PermissionDenied("Only the person who asked closes the request.")
    request.closed = True
    request.save(update_fields=["closed"])
    return request

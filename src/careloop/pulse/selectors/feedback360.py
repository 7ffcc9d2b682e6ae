"""Reads of 360° feedback: private to the person, and to whom they share it with."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db.models import QuerySet

from careloop.core import calendar
from careloop.people.models import User
from careloop.pulse.models import (
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackReviewer,
    FeedbackShare,
    Relationship,
)

# Peers and direct reports are shown only from three answers, so no answer is one person's;
# a lead is one person by definition, and the person knows who that is.
MIN_ANSWERS = {Relationship.PEER: 3, Relationship.REPORT: 3, Relationship.LEAD: 1}


@dataclass(frozen=True)
class Moment:
    situation: str
    behaviour: str
    impact: str


@dataclass(frozen=True)
class RelationshipGroup:
    relationship: str
    label: str
    asked: int
    answered: int
    minimum: int
    strengths: list[Moment]
    growth: list[Moment]
    settled: bool  # everyone asked has answered, or the request has closed or passed its date

    @property
    def shown(self) -> bool:
        return self.answered >= self.minimum and self.settled


def may_read(user: User, request: FeedbackRequest) -> bool:
    return (
        user.pk == request.subject_id
        or FeedbackShare.objects.filter(request=request, person=user).exists()
    )


def feedback_report(
    request: FeedbackRequest, today: datetime.date | None = None
) -> list[RelationshipGroup]:
    """Answers grouped by relationship; a group below its minimum shows counts only.

    A group appears all at once, when everyone asked has answered or the request is over: were
    answers added one by one, the newest could be matched to whoever answered last.
    """
    today = today or calendar.today()
    over = request.closed or request.due_on < today
    groups = []
    for relationship, label in Relationship.choices:
        asked = FeedbackReviewer.objects.filter(request=request, relationship=relationship)
        answers = list(FeedbackAnswer.objects.filter(request=request, relationship=relationship))
        minimum = MIN_ANSWERS[Relationship(relationship)]
        strengths: list[Moment] = []
        growth: list[Moment] = []
        settled = over or len(answers) == asked.count()
        if len(answers) >= minimum and settled:
            secrets.SystemRandom().shuffle(answers)
            strengths = [
                Moment(a.strength_situation, a.strength_behaviour, a.strength_impact)
                for a in answers
            ]
            growth = [
                Moment(a.growth_situation, a.growth_behaviour, a.growth_impact)
                for a in answers
                if a.growth_behaviour
            ]
            # Strengths and growth are shuffled apart, so the two halves of one answer do not
            # sit side by side.
            secrets.SystemRandom().shuffle(growth)
        if asked.exists():
            groups.append(
                RelationshipGroup(
                    relationship,
                    label,
                    asked.count(),
                    len(answers),
                    minimum,
                    strengths,
                    growth,
                    settled,
                )
            )
    return groups


def requests_of(person: User) -> QuerySet[FeedbackRequest]:
    return FeedbackRequest.objects.filter(subject=person).prefetch_related("reviewers")


def shared_with(person: User) -> QuerySet[FeedbackRequest]:
    return FeedbackRequest.objects.filter(shares__person=person).select_related("subject")


def waiting_for_answer(person: User) -> QuerySet[FeedbackReviewer]:
    return (
        FeedbackReviewer.objects.filter(reviewer=person, answered=False, request__closed=False)
        .select_related("request", "request__subject")
        .order_by("request__due_on", "request_id")
    )

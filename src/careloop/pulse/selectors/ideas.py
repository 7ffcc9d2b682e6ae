"""Reads of the idea box: every idea is visible to every employee, answered or not."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from careloop.core import calendar
from careloop.core.permissions import Action, holders, reaches_team
from careloop.people.models import User
from careloop.pulse.models import Idea, IdeaStatus


def ideas(status: str = "") -> QuerySet[Idea]:
    found = Idea.objects.select_related("author", "team", "responded_by")
    if status in IdeaStatus.values:
        found = found.filter(status=status)
    return found.order_by("-submitted_on", "id")


def my_ideas(person: User) -> QuerySet[Idea]:
    return ideas().filter(author=person)


def overdue_ideas(today: datetime.date | None = None) -> QuerySet[Idea]:
    return (
        ideas()
        .filter(status=IdeaStatus.AWAITING, respond_by__lt=today or calendar.today())
        .order_by("respond_by", "id")
    )


def awaiting_ideas() -> QuerySet[Idea]:
    return ideas().filter(status=IdeaStatus.AWAITING).order_by("respond_by", "id")


def escalation_recipients(idea: Idea) -> list[User]:
    """Who hears about an overdue idea: the leads of its team and every people partner."""
    found = [
        person
        for person in holders(Action.HEAR_OVERDUE_IDEAS).order_by("email")
        if reaches_team(person, Action.HEAR_OVERDUE_IDEAS, idea.team_id)
    ]
    # Nobody to tell: the administrators, who run the organisation, are told instead.
    return found or list(holders(Action.MANAGE_ORGANISATION).order_by("email"))

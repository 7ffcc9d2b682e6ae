"""Reads of the action-item ledger and feedback sessions, with the object-level rules."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from careloop.actions.models import ActionItem, FeedbackSession
from careloop.core import calendar
from careloop.core.permissions import Role, role_of
from careloop.people.models import User

_SEES_ALL = frozenset({Role.CX_LEADER, Role.ADMIN})
_OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


def _leads_team_of(lead: User, person_team_id: int | None) -> bool:
    return (
        role_of(lead) == Role.TEAM_LEAD
        and lead.team_id is not None
        and lead.team_id == person_team_id
    )


def can_change_item(user: User, item: ActionItem) -> bool:
    """The owner, the creator, the owner's team lead, CX leaders and admins."""
    if role_of(user) is None:
        return False
    return (
        user.pk in (item.owner_id, item.created_by_id)
        or role_of(user) in _SEES_ALL
        or _leads_team_of(user, item.owner.team_id)
    )


def can_see_item(user: User, item: ActionItem) -> bool:
    return can_change_item(user, item)


def ledger_for(user: User, *, scope: str = "mine", status: str = "") -> QuerySet[ActionItem]:
    """Items the user may see: their own, their team's (leads) or everything (CX leader, admin)."""
    items = ActionItem.objects.select_related("owner", "owner__team")
    role = role_of(user)
    if scope == "all" and role in _SEES_ALL:
        pass
    elif scope == "team" and role == Role.TEAM_LEAD and user.team_id is not None:
        items = items.filter(owner__team_id=user.team_id)
    else:
        items = items.filter(Q(owner=user) | Q(created_by=user))
    if status in ActionItem.Status.values:
        items = items.filter(status=status)
    return items.order_by("due", "pk")


def overdue_for_lead(lead: User, today: datetime.date | None = None) -> QuerySet[ActionItem]:
    """Open items past their due date whose owner is on the lead's team."""
    if role_of(lead) != Role.TEAM_LEAD or lead.team_id is None:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(
            owner__team_id=lead.team_id,
            status__in=_OPEN,
            due__lt=today or calendar.today(),
        )
        .select_related("owner")
        .order_by("due", "pk")
    )


def due_for_reminder(today: datetime.date) -> QuerySet[ActionItem]:
    """Open items due within a day or overdue, not yet reminded today."""
    return (
        ActionItem.objects.filter(
            status__in=_OPEN,
            due__lte=today + datetime.timedelta(days=1),
            owner__is_active=True,
        )
        .exclude(last_reminded_on=today)
        .select_related("owner")
        .order_by("due", "pk")
    )


def you_said_we_did() -> QuerySet[ActionItem]:
    """Completed actions for every employee: only the fields the feed shows are loaded."""
    return (
        ActionItem.objects.filter(status=ActionItem.Status.DONE)
        .only("title", "evidence", "completed_at", "source_kind", "source_label")
        .order_by("-completed_at", "-pk")
    )


def sessions_for(user: User) -> QuerySet[FeedbackSession]:
    """Sessions the user takes part in: as lead, as the person, or as a member of the team."""
    participation = Q(lead=user) | Q(person=user)
    if user.team_id is not None:
        participation |= Q(team_id=user.team_id)
    return (
        FeedbackSession.objects.filter(participation)
        .select_related("lead", "person", "team")
        .order_by("next_on", "pk")
    )


def can_see_session(user: User, session: FeedbackSession) -> bool:
    if role_of(user) is None:
        return False
    return user.pk in (session.lead_id, session.person_id) or (
        session.team_id is not None and session.team_id == user.team_id
    )


def items_from_source(source_kind: str, source_id: int) -> QuerySet[ActionItem]:
    """The ledger's items raised by one source (a learning review, a session, ...)."""
    return (
        ActionItem.objects.filter(source_kind=source_kind, source_id=source_id)
        .select_related("owner")
        .order_by("due", "pk")
    )

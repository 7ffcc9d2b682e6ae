"""Reads of the action-item ledger and feedback sessions, with the object-level rules."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse

from careloop.actions.models import ActionItem, FeedbackSession
from careloop.core import calendar
from careloop.core.home import Figure
from careloop.core.permissions import (
    Action,
    Reach,
    can,
    may,
    reach,
    restrict,
    scope_or_mine,
    scopes_for,
)
from careloop.people.models import User

_OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


def can_change_item(user: User, item: ActionItem) -> bool:
    """The owner, the creator, the owner's team lead, CX leaders and admins."""
    return may(user, Action.SEE_ACTION_ITEMS, item)


def can_see_item(user: User, item: ActionItem) -> bool:
    return can_change_item(user, item)


def ledger_for(user: User, *, scope: str = "mine", status: str = "") -> QuerySet[ActionItem]:
    """Items the user may see: their own, their team's (leads) or everything (CX leader, admin)."""
    items = restrict(
        ActionItem.objects.select_related("owner", "owner__team"),
        user,
        Action.SEE_ACTION_ITEMS,
        within=scope_or_mine(user, Action.SEE_ACTION_ITEMS, scope).reach,
    )
    if status in ActionItem.Status.values:
        items = items.filter(status=status)
    return items.order_by("due", "pk")


def overdue_for_lead(lead: User, today: datetime.date | None = None) -> QuerySet[ActionItem]:
    """Open items past their due date whose owner is on the lead's team (for those who reach
    exactly their team's items: a lead's dashboard)."""
    if reach(lead, Action.SEE_ACTION_ITEMS) is not Reach.TEAM or lead.team_id is None:
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


def overdue_visible_to(user: User, within: Reach = Reach.ORGANISATION) -> QuerySet[ActionItem]:
    """Open items past their due date among those `user` may see, no further than `within`."""
    items = restrict(ActionItem.objects.all(), user, Action.SEE_ACTION_ITEMS, within=within)
    return items.filter(status__in=_OPEN, due__lt=calendar.today())


def my_overdue_figures(user: User) -> list[Figure]:
    """The home page's count of the person's own overdue action items."""
    overdue = overdue_visible_to(user, within=Reach.OWN).count()
    return [Figure("my-overdue-items", "Your overdue action items", overdue, url=_ledger())]


def overseen_overdue_figures(user: User) -> list[Figure]:
    """The home page's count of overdue items of everyone the person oversees (a lead's
    team, the whole organisation for CX leadership); nothing for those who see only theirs."""
    if reach(user, Action.SEE_ACTION_ITEMS) < Reach.TEAM:
        return []
    overdue = overdue_visible_to(user).count()
    return [
        Figure(
            "overdue-items",
            "Overdue action items",
            overdue,
            url=_ledger(scopes_for(user, Action.SEE_ACTION_ITEMS)[-1].value),
        ),
    ]


def _ledger(scope: str = "mine") -> str:
    return f"{reverse('actions:ledger')}?scope={scope}"


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
    if not can(user, Action.USE_ACTIONS):
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

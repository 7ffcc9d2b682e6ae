"""Reads about the organisation, its teams and its people."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from careloop.core.permissions import Role
from careloop.people.models import Organisation, Team, User

DEFAULT_ORGANISATION_NAME = "Our organisation"


def current_organisation() -> Organisation:
    """The installation's organisation, created with defaults on first use."""
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        organisation = Organisation.objects.create(name=DEFAULT_ORGANISATION_NAME)
    return organisation


def teams_with_members() -> QuerySet[Team]:
    active_members = User.objects.filter(is_active=True).order_by("role", "full_name")
    return Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).prefetch_related(Prefetch("members", queryset=active_members, to_attr="active_members"))


def team_leads(team: Team) -> QuerySet[User]:
    return team.members.filter(is_active=True, role=Role.TEAM_LEAD)


def active_employees() -> QuerySet[User]:
    """Everyone who works here and can sign in, by name: what people pickers offer."""
    return User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("full_name")


def employees_matching(query: str) -> QuerySet[User]:
    """Active employees whose name or email contains `query`: what people pickers offer."""
    people = active_employees().select_related("team")
    for term in query.split():
        people = people.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
    return people


def employees() -> QuerySet[User]:
    return (
        User.objects.exclude(role=Role.CUSTOMER)
        .select_related("team")
        .order_by("-is_active", "full_name")
    )

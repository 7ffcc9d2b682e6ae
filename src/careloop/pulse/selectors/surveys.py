"""Reads of surveys for the people answering them and for those who run them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from careloop.core import calendar
from careloop.people.models import Team, User
from careloop.pulse.models import Invitation, Round, RoundParticipation, Survey, SurveyStatus


def rounds_to_answer(person: User) -> QuerySet[Round]:
    """Open rounds the person was asked in and has not answered yet."""
    today = calendar.today()
    return (
        Round.objects.filter(
            invitations__person=person,
            invitations__answered=False,
            closed_on__isnull=True,
            opens_on__lte=today,
            closes_on__gte=today,
        )
        .select_related("survey")
        .order_by("closes_on", "pk")
    )


def is_invited(pulse_round: Round, person: User) -> bool:
    return Invitation.objects.filter(round=pulse_round, person=person).exists()


@dataclass(frozen=True)
class TeamParticipation:
    team: str
    invited: int
    answered: int

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


@dataclass(frozen=True)
class Participation:
    invited: int
    answered: int
    teams: list[TeamParticipation]

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def participation(pulse_round: Round) -> Participation:
    """How many were asked and answered, overall and for teams of at least the minimum size.

    Counts only: no page or export ever lists who has or has not answered.
    """
    k = pulse_round.survey.min_group_size
    rows: list[tuple[int | None, int, int]]
    if pulse_round.settled:
        rows = list(
            RoundParticipation.objects.filter(round=pulse_round).values_list(
                "team_id", "invited", "answered"
            )
        )
    else:
        rows = [
            (row["team_id"], row["invited"], row["answered"])
            for row in Invitation.objects.filter(round=pulse_round)
            .values("team_id")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
            .order_by("team_id")
        ]
    names = dict(Team.objects.values_list("pk", "name"))
    teams = sorted(
        (
            TeamParticipation(names.get(team_id, "Former team"), invited, answered)
            for team_id, invited, answered in rows
            if team_id is not None and invited >= k
        ),
        key=lambda entry: entry.team,
    )
    return Participation(
        invited=sum(row[1] for row in rows),
        answered=sum(row[2] for row in rows),
        teams=teams if pulse_round.survey.reports_by_team else [],
    )


def surveys_for_runners() -> QuerySet[Survey]:
    return Survey.objects.prefetch_related("teams", "rounds").order_by("-created_at", "-pk")


def surveys_with_results() -> QuerySet[Survey]:
    return Survey.objects.exclude(status=SurveyStatus.DRAFT).order_by("-created_at", "-pk")


def current_round(survey: Survey) -> Round | None:
    return survey.rounds.order_by("-number").first()

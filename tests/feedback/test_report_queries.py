"""The score reports read each period's or team's invitations once, not once per figure, with
the same figures as one score card per team or month."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careloop.conversations.models import Customer
from careloop.core import calendar, scales
from careloop.core.permissions import Role
from careloop.core.scales import CES, CSAT
from careloop.feedback import selectors
from careloop.feedback.models import SurveyInvitation, SurveyKind, SurveyResponse
from careloop.people.models import Team
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

POST, RELATIONSHIP = SurveyKind.POST_RESOLUTION, SurveyKind.RELATIONSHIP


def _score_card_figure_by_figure(invitations: QuerySet[SurveyInvitation]) -> selectors.ScoreCard:
    """`score_card` as it was first written, with a query for each figure."""
    sent = invitations.filter(sent_at__isnull=False)
    post_sent = sent.filter(kind=POST).count()
    responses = SurveyResponse.objects.filter(invitation__in=sent)

    def scores(name: str) -> list[int]:
        return [score for score in responses.values_list(name, flat=True) if score is not None]

    csat, ces, nps = scores("csat"), scores("ces"), scores("nps")
    nps_sent = sent.filter(Q(kind=RELATIONSHIP) | Q(response__nps__isnull=False)).count()

    def one_decimal(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return selectors.ScoreCard(
        sent=sent.count(),
        responses=responses.count(),
        csat=selectors.Metric(one_decimal(scales.percent_good(CSAT, csat)), len(csat), post_sent),
        nps=selectors.Metric(
            one_decimal(scales.net_promoter_score(nps)), len(nps), max(nps_sent, len(nps))
        ),
        ces=selectors.Metric(round(sum(ces) / len(ces), 2) if ces else None, len(ces), post_sent),
        ces_easy=one_decimal(scales.percent_good(CES, ces)),
    )


def _survey(
    customer: Customer,
    team: Team | None,
    sent_at: datetime.datetime | None,
    kind: str = POST,
    **scores: int | None,
) -> None:
    """An invitation (sent at `sent_at`, or not sent when None), answered when given scores."""
    invitation = SurveyInvitation.objects.create(
        kind=kind,
        customer=customer,
        team=team,
        send_after=sent_at or calendar.start_of_day(datetime.date(2026, 1, 1)),
        sent_at=sent_at,
    )
    if scores:
        SurveyResponse.objects.create(
            invitation=invitation, kind=kind, customer=customer, team=team, **scores
        )


def _surveys_over_half_a_year(today: datetime.date) -> tuple[Team, Team, Team]:
    europe, americas, quiet = (TeamFactory(name=name) for name in ("Europe", "Americas", "Quiet"))
    customer = CustomerFactory()
    this_month = calendar.start_of_day(calendar.first_of_month(today))
    march = calendar.start_of_day(datetime.date(2026, 3, 1))
    for team, sent_at, kind, scores in [
        (europe, this_month, POST, {"csat": 5, "ces": 7}),
        (europe, this_month + datetime.timedelta(days=2), POST, {"csat": 2, "ces": 3, "nps": 9}),
        (europe, this_month + datetime.timedelta(days=3), POST, {}),  # sent, not answered
        (europe, None, POST, {}),  # never sent
        (europe, march, POST, {"csat": 4, "ces": None}),  # the first moment of March
        (europe, march - datetime.timedelta(microseconds=1), POST, {"csat": 1, "ces": 6}),
        (americas, march + datetime.timedelta(days=5), RELATIONSHIP, {"nps": 3}),
        (americas, march + datetime.timedelta(days=6), RELATIONSHIP, {"nps": 10}),
        (americas, march + datetime.timedelta(days=7), RELATIONSHIP, {}),
        (americas, this_month + datetime.timedelta(days=1), POST, {"csat": None, "ces": 5}),
        (None, march + datetime.timedelta(days=9), POST, {"csat": 3, "ces": 4, "nps": 0}),
        # Before the six months: in the team's long period only.
        (americas, calendar.start_of_day(datetime.date(2025, 9, 30)), POST, {"csat": 5}),
    ]:
        _survey(customer, team, sent_at, kind, **scores)
    return europe, americas, quiet


def test_each_teams_scores_equal_its_score_card_counted_figure_by_figure() -> None:
    today = datetime.date(2026, 5, 20)
    _surveys_over_half_a_year(today)
    since, until = calendar.start_of_day(datetime.date(2025, 6, 1)), calendar.start_of_day(today)

    by_team = selectors.scores_by_team(since, until)

    assert by_team == [
        (team, _score_card_figure_by_figure(selectors.invitations_between(since, until, team)))
        for team in Team.objects.order_by("name")
    ]
    assert [team.name for team, _ in by_team] == ["Americas", "Europe", "Quiet"]
    assert [card.sent for _, card in by_team] == [5, 5, 0]
    everyone = selectors.invitations_between(since, until)
    assert selectors.score_card(everyone) == _score_card_figure_by_figure(everyone)


@pytest.mark.parametrize("team_name", [None, "Europe", "Americas", "Quiet"])
def test_each_months_scores_equal_its_score_card_counted_figure_by_figure(
    team_name: str | None,
) -> None:
    today = datetime.date(2026, 5, 20)
    _surveys_over_half_a_year(today)
    team = Team.objects.get(name=team_name) if team_name else None

    by_month = selectors.scores_by_month(6, team, today)

    starts = [datetime.date(2025, 12, 1), *(datetime.date(2026, month, 1) for month in range(1, 7))]
    assert by_month == [
        (
            start,
            _score_card_figure_by_figure(
                selectors.invitations_between(
                    calendar.start_of_day(start), calendar.start_of_day(end), team
                )
            ),
        )
        for start, end in itertools.pairwise(starts)
    ]
    if team_name == "Europe":
        sent = [card.sent for _, card in by_month]
        assert sent == [0, 0, 1, 1, 0, 3]  # the last moment of February, the first of March


def _overview_queries(client: Client, teams: int) -> int:
    customer = CustomerFactory()
    for number in range(Team.objects.count(), teams):
        team = TeamFactory(name=f"Team {number:03}")
        _survey(customer, team, calendar.now() - datetime.timedelta(days=3), csat=4, ces=5)
    assert Team.objects.count() == teams
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("feedback:overview"))
    assert page.status_code == 200
    assert page.content.decode().count("?period=90&team=") == teams
    return len(queries)


def test_the_overview_makes_as_many_queries_for_thirty_teams_as_for_three(client: Client) -> None:
    client.force_login(UserFactory(role=Role.CX_LEADER, team=TeamFactory(name="Team 000")))
    client.get(reverse("feedback:overview"))  # the session and the like, read once

    assert _overview_queries(client, 3) == _overview_queries(client, 30)

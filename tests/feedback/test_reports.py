from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.core.permissions import Role
from careloop.feedback import selectors
from careloop.feedback.models import SurveyKind
from careloop.feedback.services import surveys
from tests.feedback.factories import answered, sent_invitation, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_csat_is_the_share_of_4_and_5_with_the_response_rate_beside_it() -> None:
    agent = UserFactory(role=Role.AGENT)
    for csat, ces in ((5, 7), (4, 5), (3, 4), (1, 2)):
        answered(solved_conversation(agent=agent), csat=csat, ces=ces)
    sent_invitation(solved_conversation())  # sent, not answered
    card = selectors.score_card(
        selectors.invitations_between(
            timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1)
        )
    )
    assert (card.sent, card.responses, card.response_rate) == (5, 4, 80.0)
    assert (card.csat.value, card.csat.answers, card.csat.response_rate) == (50.0, 4, 80.0)
    assert card.ces.value == 4.5
    assert card.ces_easy == 50.0  # 7 and 5 are "easy"; 4 and 2 are not


def test_nps_is_promoters_minus_detractors() -> None:
    UserFactory(role=Role.CX_LEADER)
    for score in (10, 9, 9, 8, 7, 6, 0):
        surveys.submit_answers(sent_invitation(kind=SurveyKind.RELATIONSHIP), nps=score)
    sent_invitation(kind=SurveyKind.RELATIONSHIP)
    card = selectors.score_card(
        selectors.invitations_between(
            timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1)
        )
    )
    # 3 promoters and 2 detractors of 7 answers: (3 - 2) / 7 = 14.3
    assert card.nps.value == 14.3
    assert (card.nps.answers, card.nps.sent) == (7, 8)
    assert card.csat.value is None


def test_scores_by_team_and_by_month() -> None:
    europe, americas = TeamFactory(name="Europe"), TeamFactory(name="Americas")
    answered(solved_conversation(agent=UserFactory(team=europe)), csat=5)
    answered(solved_conversation(agent=UserFactory(team=americas)), csat=1)
    answered(solved_conversation(agent=UserFactory(team=americas)), csat=5, days_ago=40)
    now = timezone.now()
    rows = dict(selectors.scores_by_team(now - timedelta(days=30), now + timedelta(minutes=1)))
    assert rows[europe].csat.value == 100.0
    assert rows[americas].csat.value == 0.0
    months = selectors.scores_by_month(3, team=americas)
    assert len(months) == 3
    assert sum(card.csat.answers for _, card in months) == 2


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN])
def test_the_overview_shows_scores_to_frontline_roles(role: Role, client: Client) -> None:
    answered(solved_conversation(agent=UserFactory()), csat=4, comment="Lovely & <b>quick</b>")
    client.force_login(UserFactory(role=role))
    page = client.get(reverse("feedback:overview"), {"period": "30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "CSAT" in html and "response rate" in html
    assert "&lt;b&gt;quick&lt;/b&gt;" in html


def test_people_partners_do_not_see_customer_scores(client: Client) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    assert client.get(reverse("feedback:overview")).status_code == 403


def test_agents_see_their_own_scores_beside_the_team_s(client: Client) -> None:
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=5)
    answered(solved_conversation(agent=UserFactory()), csat=1)
    client.force_login(agent)
    page = client.get(reverse("feedback:overview"), {"period": "30"})
    own = page.context["own"]
    assert (own.sent, own.csat.value) == (1, 100.0)
    assert page.context["card"].csat.value == 50.0
    assert "Your conversations:" in page.content.decode()

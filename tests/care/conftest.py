from __future__ import annotations

from collections.abc import Iterator

import pytest

from careloop.care import outcomes
from careloop.conversations.models import Conversation
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import TeamFactory, UserFactory


@pytest.fixture
def team(db: None) -> Team:
    return TeamFactory(name="Returns", slug="returns")


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team, full_name="Sam Agent")


@pytest.fixture
def lead(team: Team) -> User:
    return UserFactory(role=Role.TEAM_LEAD, team=team, full_name="Leah Lead")


@pytest.fixture
def conversation(team: Team) -> Conversation:
    return ConversationFactory(team=team)


@pytest.fixture
def survey_scores() -> Iterator[dict[int, outcomes.SurveyScore]]:
    """Survey answers the outcome report reads through the hook; tests fill the dict."""
    recorded: dict[int, outcomes.SurveyScore] = {}

    def source(conversation_ids: object) -> dict[int, outcomes.SurveyScore]:
        return dict(recorded)

    outcomes.register_survey_score_source(source)
    yield recorded
    outcomes.unregister_survey_score_source(source)

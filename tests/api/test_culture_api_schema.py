"""Every read of the culture endpoints, over real rows, answers exactly as the schema says.

The schemathesis run mostly meets empty lists and unknown ids; here each operation reads a
row of every kind it serves (a published review, an anonymous idea, a closed pulse round…).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from careloop.actions.models import ActionItem
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.insights.models import DailyRollup
from careloop.learning import services as learning
from careloop.learning.models import ReviewStatus, Visibility
from careloop.people.models import Value
from careloop.people.selectors import current_organisation
from careloop.playbook.models import Visibility as ArticleVisibility
from careloop.pulse.models import IdeaStatus
from careloop.pulse.services.ideas import respond_to_idea, submit_idea
from careloop.recognition.models import StoryStatus
from careloop.recognition.services import give_kudos
from careloop.wsgi import application
from tests.actions.factories import ActionItemFactory
from tests.fixtures.api import KeyMaker
from tests.learning.factories import (
    ContributingFactorFactory,
    LearningReviewFactory,
    TimelineEntryFactory,
)
from tests.people.factories import UserFactory
from tests.playbook.factories import ArticleFactory
from tests.pulse.factories import answer_all, close, first_round, live_survey, team_of
from tests.recognition.factories import SuccessStoryFactory

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
)
schema.app = application

CULTURE_PATHS = ("learning/", "ideas/", "recognition/", "help/", "playbook/", "pulse/", "insights/")


def culture_reads() -> list[str]:
    return sorted(
        path
        for path, item in schema.raw_schema["paths"].items()
        if "get" in item and path.removeprefix("/api/v1/").startswith(CULTURE_PATHS)
    )


@pytest.fixture
def samples(office_hours: None) -> dict[str, Any]:
    """One row of each kind the culture endpoints serve, as the pages would have made them."""
    team, people = team_of(6, "Harbour")
    review = LearningReviewFactory(
        status=ReviewStatus.PUBLISHED,
        visibility=Visibility.ORGANISATION,
        published_at=timezone.now(),
        facilitator=people[0],
    )
    TimelineEntryFactory(review=review)
    ContributingFactorFactory(review=review)
    ActionItemFactory(
        owner=people[0], source_kind=ActionItem.SourceKind.LEARNING_REVIEW, source_id=review.pk
    )
    report, _ = learning.file_anonymous_report("near_miss", "Refunds go out unchecked.")
    learning.reply_to_report(report, UserFactory(role=Role.TEAM_LEAD), "Thank you.")
    idea, _ = submit_idea(
        title="Quiet hours", body="No meetings before ten.", author=people[1], anonymous=True
    )
    respond_to_idea(
        idea, by=UserFactory(role=Role.TEAM_LEAD), status=IdeaStatus.ADOPTED, response="Yes."
    )
    value = Value.objects.create(organisation=current_organisation(), name="Own it")
    give_kudos(giver=people[0], receiver=people[1], value=value, message="Thank you!")
    SuccessStoryFactory(
        agent=people[2], status=StoryStatus.SHARED, shared_at=timezone.now(), value=value
    )
    article = ArticleFactory(slug="returns", visibility=ArticleVisibility.PUBLIC)
    survey = live_survey()
    for person in people:
        answer_all(first_round(survey), person)
    close(first_round(survey))
    DailyRollup.objects.create(
        day=calendar.today(), team=team, channel="email", csat_positive=3, csat_total=4
    )
    return {
        "review_id": review.pk,
        "idea_id": str(idea.pk),
        "slug": article.slug,
        "article_id": article.pk,
        "survey_id": survey.pk,
    }


@pytest.fixture
def secret(make_key: KeyMaker) -> Iterator[str]:
    # Called as a WSGI app, Django would close the test's database connection after a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _, secret = make_key(Role.ADMIN)
    yield secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_culture_reads_are_all_checked() -> None:
    assert len(culture_reads()) == 15


@pytest.mark.parametrize("path", culture_reads())
def test_each_culture_read_answers_a_real_row_as_its_schema_says(
    path: str, samples: dict[str, Any], secret: str
) -> None:
    operation = schema[path]["GET"]
    parameters = schema.raw_schema["paths"][path]["get"].get("parameters", [])
    names = [parameter["name"] for parameter in parameters if parameter["in"] == "path"]
    case = operation.Case(
        path_parameters={name: samples[name] for name in names},
        headers={"Authorization": f"Bearer {secret}"},
    )

    response = case.call_and_validate()

    assert response.status_code == 200
    body = response.json()
    assert body.get("results", [body]), path  # a list page holds the sample row
    assert body.get("groups", [body]), path  # pulse results show the organisation

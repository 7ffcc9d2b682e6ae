"""Learning reviews, their action items and anonymous reports through the API, as their owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.api.scopes import Scope
from careloop.core.permissions import Role
from careloop.learning import services
from careloop.learning.models import AnonymousReport, LearningReview, ReviewStatus, Visibility
from careloop.people.models import Team, User
from tests.actions.factories import ActionItemFactory
from tests.fixtures.api import ClientMaker
from tests.learning.factories import LearningReviewFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

REVIEWS = "api:learning-reviews"
ITEMS = "api:learning-action-items"


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team)


def titles(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def learning_item(owner: User, title: str, **fields: Any) -> ActionItem:
    return ActionItemFactory(
        owner=owner,
        title=title,
        source_kind=ActionItem.SourceKind.LEARNING_REVIEW,
        source_id=LearningReviewFactory(facilitator=owner).pk,
        **fields,
    )


def test_a_key_lists_the_reviews_its_owner_may_read_and_no_others(
    agent: User, team: Team, api_as: ClientMaker
) -> None:
    published = {"status": ReviewStatus.PUBLISHED}
    LearningReviewFactory(title="My draft", facilitator=agent)
    LearningReviewFactory(title="Team lesson", facilitator=UserFactory(team=team), **published)
    LearningReviewFactory(title="Shared lesson", visibility=Visibility.ORGANISATION, **published)
    LearningReviewFactory(title="Other team's lesson", **published)
    LearningReviewFactory(title="Someone else's draft", facilitator=UserFactory(team=team))

    seen = titles(api_as(owner=agent).get(reverse(REVIEWS)))

    assert seen == {"My draft", "Team lesson", "Shared lesson"}


def test_a_review_the_owner_may_not_read_is_not_found(agent: User, api_as: ClientMaker) -> None:
    hidden = LearningReviewFactory(title="Other team's lesson", status=ReviewStatus.PUBLISHED)
    url = reverse("api:learning-review", kwargs={"review_id": hidden.pk})

    assert api_as(owner=agent).get(url).status_code == 404
    assert api_as(Role.CX_LEADER).get(url).json()["title"] == "Other team's lesson"


def test_pages_follow_the_cursor_without_repeating_a_review(
    agent: User, api_as: ClientMaker
) -> None:
    for number in range(5):
        LearningReviewFactory(title=f"Draft {number}", facilitator=agent)
    client = api_as(owner=agent)

    first = client.get(reverse(REVIEWS), {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    bad_size = client.get(reverse(REVIEWS), {"page_size": 0})
    bad_cursor = client.get(reverse(REVIEWS), {"cursor": "cD1hYmM"})  # p=abc: not an id

    assert [row["title"] for row in first["results"]] == ["Draft 4", "Draft 3"]
    assert [row["title"] for row in second["results"]] == ["Draft 2", "Draft 1"]
    assert bad_size.status_code == 400
    assert bad_cursor.status_code == 404


def test_opening_a_review_makes_a_draft_facilitated_by_the_owner_with_the_coachs_flags(
    agent: User, team: Team, api_as: ClientMaker
) -> None:
    body = {
        "title": "Refund sent twice",
        "kind": "mistake",
        "summary": "Tom forgot to check the refund, he should have been more careful.",
        "timeline": [{"at": "09:10", "known": "The order showed no refund yet."}],
        "factors": [{"category": "tooling", "description": "No warning about earlier refunds."}],
    }
    client = api_as(owner=agent)
    headers = {"Idempotency-Key": "review-1"}

    response = client.post(reverse(REVIEWS), body, format="json", headers=headers)
    replay = client.post(reverse(REVIEWS), body, format="json", headers=headers)

    assert response.status_code == 201, response.content
    assert replay.json() == response.json()
    review = LearningReview.objects.get()
    assert (review.facilitator, review.team, review.status) == (agent, team, ReviewStatus.DRAFT)
    assert [entry.known for entry in review.timeline.all()] == ["The order showed no refund yet."]
    assert review.factors.get().category == "tooling"
    answer = response.json()
    assert answer["facilitator"] == str(agent) and answer["status"] == "draft"
    assert {flag["text"] for flag in answer["blame_flags"]} >= {"Tom forgot", "should have"}


def test_an_invalid_review_is_refused_field_by_field_and_nothing_is_stored(
    agent: User, api_as: ClientMaker
) -> None:
    response = api_as(owner=agent).post(
        reverse(REVIEWS),
        {"title": "", "kind": "blame", "summary": 7, "factors": [{"category": "person"}]},
        format="json",
        headers={"Idempotency-Key": "bad-review"},
    )

    assert response.status_code == 400
    assert {"title", "kind", "summary", "factors"} <= set(response.json())
    assert not LearningReview.objects.exists()


def test_writing_needs_the_learning_write_scope(agent: User, api_as: ClientMaker) -> None:
    client = api_as(owner=agent, scopes=[Scope.LEARNING_READ])

    response = client.post(
        reverse(REVIEWS),
        {"title": "T", "kind": "mistake", "summary": "S"},
        format="json",
        headers={"Idempotency-Key": "no-scope"},
    )

    assert response.status_code == 403
    assert "learning:write" in response.json()["detail"]
    assert client.get(reverse(REVIEWS)).status_code == 200
    assert not LearningReview.objects.exists()


def test_action_items_follow_the_ledger_rule_for_the_keys_owner(
    agent: User, team: Team, api_as: ClientMaker
) -> None:
    learning_item(agent, "Mine")
    learning_item(UserFactory(team=team), "Teammate's")
    learning_item(UserFactory(), "Another team's")
    ActionItemFactory(owner=agent, title="From a survey")  # not from a learning review
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)

    assert titles(api_as(owner=agent).get(reverse(ITEMS))) == {"Mine"}
    assert titles(api_as(owner=lead).get(reverse(ITEMS))) == {"Mine", "Teammate's"}
    assert titles(api_as(Role.CX_LEADER).get(reverse(ITEMS))) == {
        "Mine",
        "Teammate's",
        "Another team's",
    }
    assert (
        api_as(owner=UserFactory(), scopes=[Scope.IDEAS_READ]).get(reverse(ITEMS)).status_code
        == 403
    )


def test_marking_an_item_done_needs_evidence_and_only_reaches_visible_items(
    agent: User, api_as: ClientMaker
) -> None:
    mine = learning_item(agent, "Mine")
    theirs = learning_item(UserFactory(), "Theirs")
    client = api_as(owner=agent)

    def mark(item: ActionItem, key: str, **body: str) -> Any:
        url = reverse("api:learning-action-item-status", kwargs={"item_id": item.pk})
        return client.post(url, body, format="json", headers={"Idempotency-Key": key})

    no_evidence = mark(mine, "a", status="done")
    done = mark(mine, "b", status="done", evidence="The tool now warns; see ticket 12.")
    not_mine = mark(theirs, "c", status="done", evidence="Done.")

    assert no_evidence.status_code == 400
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.DONE
    assert not_mine.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ActionItem.Status.OPEN
    assert ActionItem.objects.filter(status=ActionItem.Status.DONE).count() == 1


def test_anonymous_reports_reach_facilitators_with_no_author_and_no_one_else(
    agent: User, api_as: ClientMaker
) -> None:
    report, _ = services.file_anonymous_report("near_miss", "Refunds go out without a check.")
    facilitator = UserFactory(role=Role.TEAM_LEAD, full_name="Fay Facilitator")
    services.reply_to_report(report, facilitator, "Thank you, we are looking at it.")
    services.follow_up_from_reporter(report, "It happened again today.")

    response = api_as(Role.PEOPLE_PARTNER).get(reverse("api:learning-anonymous-reports"))
    refused = api_as(owner=agent).get(reverse("api:learning-anonymous-reports"))

    assert response.status_code == 200
    (shown,) = response.json()["results"]
    assert set(shown) == {"id", "kind", "body", "reported_on", "replies"}
    assert [(r["from_reporter"], r["facilitator"]) for r in shown["replies"]] == [
        (False, "Fay Facilitator"),
        (True, None),
    ]
    assert refused.status_code == 403


def test_the_api_offers_no_way_to_file_an_anonymous_report(api_as: ClientMaker) -> None:
    response = api_as(Role.PEOPLE_PARTNER).post(
        reverse("api:learning-anonymous-reports"),
        {"kind": "near_miss", "body": "x"},
        format="json",
        headers={"Idempotency-Key": "anon"},
    )

    assert response.status_code == 405
    assert not AnonymousReport.objects.exists()

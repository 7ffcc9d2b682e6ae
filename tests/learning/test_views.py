from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from careloop.learning import services
from careloop.learning.models import (
    ContributingFactor,
    LearningReview,
    ParticipantRole,
    ReviewStatus,
)
from tests.actions.factories import ActionItemFactory
from tests.learning.factories import LearningReviewFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def review_post(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Refund sent twice",
        "kind": "mistake",
        "severity": "medium",
        "visibility": "team",
        "summary": "A refund went out twice.",
        "timeline-TOTAL_FORMS": "1",
        "timeline-INITIAL_FORMS": "0",
        "timeline-0-at": "09:10",
        "timeline-0-known": "The order showed no earlier refund.",
        "factors-TOTAL_FORMS": "1",
        "factors-INITIAL_FORMS": "0",
        "factors-0-category": "tooling",
        "factors-0-description": "The refund tool hides earlier refunds.",
    }
    data.update(overrides)
    return data


def test_the_review_form_offers_no_field_for_who_is_to_blame(client: Client) -> None:
    client.force_login(UserFactory())
    page = client.get(reverse("learning:review-create")).content.decode().lower()
    assert "contributing factors" in page
    for culprit_field in ("blame", "culprit", "responsible", "at fault"):
        assert f'name="{culprit_field}' not in page
    assert {f.name for f in ContributingFactor._meta.fields} == {
        "id",
        "review",
        "category",
        "description",
    }


def test_saving_a_review_with_blame_language_shows_the_flags(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post(
        reverse("learning:review-create"),
        review_post(summary="Tom forgot to check the refund."),
        follow=True,
    )
    review = LearningReview.objects.get()
    assert review.factors.get().category == "tooling"
    assert review.timeline.get().at == "09:10"
    page = response.content.decode()
    assert "flagged 1 passage" in page
    assert "Tom forgot" in page


def test_the_live_check_flags_blame_in_the_draft(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post(
        reverse("learning:blame-check"),
        review_post(**{"factors-0-description": "Human error: she was careless."}),
    )
    page = response.content.decode()
    assert "Contributing factor" in page
    assert "careless" in page
    clean = client.post(reverse("learning:blame-check"), review_post())
    assert 'data-testid="blame-clear"' in clean.content.decode()


def test_publishing_through_the_page_needs_the_acknowledgement(client: Client) -> None:
    review = LearningReviewFactory(summary="He should have known better.")
    client.force_login(review.facilitator)
    publish = reverse("learning:review-publish", kwargs={"pk": review.pk})

    refused = client.post(publish, follow=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert "Not published" in refused.content.decode()

    client.post(publish, {"acknowledge_flags": "on"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert review.acknowledgements.get().acknowledged_by == review.facilitator


def test_reviews_outside_ones_visibility_answer_404(client: Client) -> None:
    review = LearningReviewFactory(status=ReviewStatus.PUBLISHED)
    client.force_login(UserFactory())  # another team
    assert client.get(reverse("learning:review", kwargs={"pk": review.pk})).status_code == 404
    assert review.title not in client.get(reverse("learning:reviews")).content.decode()
    client.force_login(UserFactory(team=review.team))
    assert client.get(reverse("learning:review", kwargs={"pk": review.pk})).status_code == 200


def test_only_the_facilitator_edits(client: Client) -> None:
    review = LearningReviewFactory()
    participant = UserFactory()
    services.add_participant(review, participant, ParticipantRole.REVIEWER)
    client.force_login(participant)
    edit = reverse("learning:review-edit", kwargs={"pk": review.pk})
    assert client.get(edit).status_code == 404
    client.force_login(review.facilitator)
    assert client.get(edit).status_code == 200


def test_facilitator_sees_the_safety_average_only_from_a_batch_of_five(client: Client) -> None:
    review = LearningReviewFactory()
    people = [UserFactory() for _ in range(6)]
    for person in people:
        services.add_participant(review, person, ParticipantRole.INVOLVED)
    services.publish_review(review, review.facilitator)
    feedback_url = reverse("learning:review-feedback", kwargs={"pk": review.pk})
    detail_url = reverse("learning:review", kwargs={"pk": review.pk})

    for person, safety in zip(people[:4], (5, 4, 3, 4), strict=True):
        client.force_login(person)
        client.post(feedback_url, {"safety": safety})
    client.force_login(review.facilitator)
    assert "4 answers so far" in client.get(detail_url).content.decode()

    for person, safety in zip(people[4:], (4, 1), strict=True):
        client.force_login(person)
        client.post(feedback_url, {"safety": safety})
    client.force_login(review.facilitator)
    page = client.get(detail_url).content.decode()
    assert "Felt safe: 4.0 of 5 from 5 answers. 1 newer answer joins" in page


def test_agents_may_not_rate_reviews_they_were_not_part_of(client: Client) -> None:
    review = LearningReviewFactory(status=ReviewStatus.PUBLISHED, visibility="organisation")
    client.force_login(UserFactory(role=Role.AGENT))
    feedback_url = reverse("learning:review-feedback", kwargs={"pk": review.pk})
    assert client.post(feedback_url, {"safety": 1}).status_code == 404


def test_people_join_a_review_as_involved_or_as_reviewers_never_both(client: Client) -> None:
    client.force_login(UserFactory())
    involved, reviewer = UserFactory(), UserFactory(role=Role.TEAM_LEAD)
    client.post(
        reverse("learning:review-create"),
        {**review_post(), "participants": [str(involved.pk)], "reviewers": [str(reviewer.pk)]},
    )
    review = LearningReview.objects.get()
    roles = {p.person_id: p.role for p in review.participants.all()}
    assert roles == {involved.pk: ParticipantRole.INVOLVED, reviewer.pk: ParticipantRole.REVIEWER}

    both = client.post(
        reverse("learning:review-edit", args=[review.pk]),
        {**review_post(), "participants": [str(involved.pk)], "reviewers": [str(involved.pk)]},
    )
    assert "Choose one role for each person" in both.content.decode()


def test_a_review_links_only_the_action_items_its_reader_may_open(client: Client) -> None:
    review = LearningReviewFactory(status=ReviewStatus.PUBLISHED)
    agent = UserFactory(role=Role.AGENT, team=review.team)
    source = {"source_kind": ActionItem.SourceKind.LEARNING_REVIEW, "source_id": review.pk}
    own = ActionItemFactory(owner=agent, title="Check the refund log", **source)
    others = ActionItemFactory(owner=review.facilitator, title="Rewrite the macro", **source)
    client.force_login(agent)

    page = client.get(reverse("learning:review", kwargs={"pk": review.pk})).content.decode()

    assert f'<a href="{reverse("actions:item", args=[own.pk])}">Check the refund log</a>' in page
    assert "Rewrite the macro" in page
    assert reverse("actions:item", args=[others.pk]) not in page
    assert client.get(reverse("actions:item", args=[own.pk])).status_code == 200

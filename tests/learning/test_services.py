from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from careloop.learning import selectors, services
from careloop.learning.models import (
    BlameAcknowledgement,
    FactorCategory,
    LearningReview,
    ParticipantRole,
    ProcessFeedbackAnswer,
    ReviewStatus,
)
from careloop.people.models import User
from tests.learning.factories import (
    ContributingFactorFactory,
    LearningReviewFactory,
    TimelineEntryFactory,
)
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

BLAME = "Tom forgot to check the refund, he should have been more careful."


def test_blame_flags_are_found_in_summary_timeline_factors_and_went_wrong() -> None:
    review = LearningReviewFactory(summary=BLAME, went_wrong="She was careless.")
    TimelineEntryFactory(review=review, known="He simply ignored the warning.")
    ContributingFactorFactory(review=review, description="Human error by the agent.")

    fields = {flag.field for flag in services.blame_flags(review)}

    assert fields == {"Summary", "Timeline 09:10", "Factor: Tooling", "What went wrong"}


def test_blame_flags_block_publishing_until_reframed() -> None:
    review = LearningReviewFactory(summary=BLAME)

    with pytest.raises(services.UnresolvedBlameFlags):
        services.publish_review(review, review.facilitator)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT

    review.summary = "The refund tool showed no earlier refund, so a second one looked right."
    review.save()
    services.publish_review(review, review.facilitator)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert not BlameAcknowledgement.objects.exists()


def test_publishing_with_acknowledged_flags_records_who_when_and_which() -> None:
    review = LearningReviewFactory(summary=BLAME)

    services.publish_review(review, review.facilitator, acknowledge_flags=True)

    acknowledgement = BlameAcknowledgement.objects.get(review=review)
    assert acknowledgement.acknowledged_by == review.facilitator
    assert acknowledgement.acknowledged_at is not None
    assert {flag["text"] for flag in acknowledgement.flags} >= {"Tom forgot", "should have"}
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED


def test_only_the_facilitator_or_a_facilitating_role_publishes() -> None:
    review = LearningReviewFactory()
    with pytest.raises(PermissionDenied):
        services.publish_review(review, UserFactory(role=Role.AGENT))
    services.publish_review(review, UserFactory(role=Role.PEOPLE_PARTNER))
    assert review.status == ReviewStatus.PUBLISHED


def _rated_review(people: int) -> tuple[LearningReview, list[User]]:
    review = LearningReviewFactory()
    participants = [UserFactory() for _ in range(people)]
    for person in participants:
        services.add_participant(review, person, ParticipantRole.INVOLVED)
    services.publish_review(review, review.facilitator)
    return review, participants


def test_process_feedback_average_shows_from_five_answers_and_moves_five_at_a_time() -> None:
    review, people = _rated_review(10)
    ratings = [5, 4, 2, 3, 4, 1, 5, 5, 2, 3]
    shown = []
    for person, safety in zip(people, ratings, strict=True):
        services.record_process_feedback(review, person, safety)
        shown.append(services.process_feedback_summary(review))

    assert [summary.average for summary in shown[:4]] == [None] * 4
    assert shown[3] == services.FeedbackSummary(4, None, 0)
    assert shown[4] == services.FeedbackSummary(5, 3.6, 5)
    assert shown[8] == services.FeedbackSummary(9, 3.6, 5)
    assert shown[9] == services.FeedbackSummary(10, 3.4, 10)


def test_no_single_safety_rating_can_be_recovered_by_differencing_the_shown_averages() -> None:
    """Finding 7: with a live average, n·avg(n) − (n−1)·avg(n−1) gave away each new rating."""
    review, people = _rated_review(17)
    ratings = [5, 1, 4, 2, 5, 3, 1, 4, 4, 2, 5, 5, 1, 3, 2, 4, 1]
    seen: list[tuple[int, float | None, int]] = []
    for person, safety in zip(people, ratings, strict=True):
        services.record_process_feedback(review, person, safety)
        summary = services.process_feedback_summary(review)
        # What a facilitator can write down after each answer (they know who answered when).
        averaged = getattr(summary, "averaged_answers", summary.answers)
        seen.append((summary.answers, summary.average, averaged))

    recovered: dict[int, int] = {}
    steps: list[int] = []
    previous: tuple[int, float] | None = None  # the last figure: answers behind it, average
    for _, average, averaged in seen:
        if average is None:
            continue
        if previous is not None and (averaged, average) != previous:
            count, mean = previous
            steps.append(averaged - count)
            if averaged - count == 1:
                recovered[averaged] = round(averaged * average - count * mean)
        previous = (averaged, average)
    assert recovered == {}
    assert all(step >= 5 for step in steps)
    figures = {(averaged, average) for _, average, averaged in seen if average is not None}
    assert sorted(count for count, _ in figures) == [5, 10, 15]


def test_process_feedback_is_one_answer_each_and_stored_without_the_person() -> None:
    review = LearningReviewFactory()
    person = UserFactory()
    services.add_participant(review, person, ParticipantRole.REVIEWER)
    services.publish_review(review, review.facilitator)

    services.record_process_feedback(review, person, 3)
    with pytest.raises(services.AlreadyAnswered):
        services.record_process_feedback(review, person, 1)

    assert ProcessFeedbackAnswer.objects.count() == 1
    answer_columns = {field.column for field in ProcessFeedbackAnswer._meta.concrete_fields}
    assert answer_columns == {"id", "review_id", "safety"}


def test_process_feedback_needs_a_published_review_and_a_participant() -> None:
    review = LearningReviewFactory()
    with pytest.raises(PermissionDenied):
        services.record_process_feedback(review, review.facilitator, 4)
    services.publish_review(review, review.facilitator)
    with pytest.raises(PermissionDenied):
        services.record_process_feedback(review, UserFactory(), 4)


def test_recurring_factor_is_named_with_its_count_this_quarter() -> None:
    for _ in range(2):
        ContributingFactorFactory(description="The refund tool hides earlier refunds.")
    ContributingFactorFactory(
        category=FactorCategory.POLICY, description="The refund policy is unclear."
    )
    review = LearningReviewFactory()
    ContributingFactorFactory(review=review, description="Refund tool shows no history.")

    (recurrence,) = selectors.recurrences(review)

    assert recurrence.reviews == 3
    assert recurrence.message == "Third review this quarter citing “refund tool” (tooling)."


def test_unrelated_factors_do_not_count_as_recurrence() -> None:
    ContributingFactorFactory(description="Handover notes were missing at shift change.")
    review = LearningReviewFactory()
    ContributingFactorFactory(review=review, description="The refund tool hides history.")
    assert selectors.recurrences(review) == []


def test_action_items_from_a_review_land_in_the_ledger() -> None:
    review = LearningReviewFactory()
    owner = UserFactory()

    item = services.add_action_item(
        review, title="Warn about earlier refunds", owner=owner, due=None, by=review.facilitator
    )

    assert item.source_kind == ActionItem.SourceKind.LEARNING_REVIEW
    assert item.source_id == review.pk
    assert list(selectors.action_items_for(review)) == [item]


def test_drafts_stay_with_their_people_and_published_reviews_follow_visibility() -> None:
    draft = LearningReviewFactory()
    team_review = LearningReviewFactory(status=ReviewStatus.PUBLISHED)
    org_review = LearningReviewFactory(status=ReviewStatus.PUBLISHED, visibility="organisation")
    teammate = UserFactory(team=team_review.team)
    outsider = UserFactory()
    participant = UserFactory()
    services.add_participant(draft, participant, ParticipantRole.AUTHOR)

    assert set(selectors.visible_reviews(teammate)) == {team_review, org_review}
    assert set(selectors.visible_reviews(outsider)) == {org_review}
    assert draft in selectors.visible_reviews(participant)
    assert draft not in selectors.visible_reviews(UserFactory(role=Role.CX_LEADER))
    assert team_review in selectors.visible_reviews(UserFactory(role=Role.CX_LEADER))


def test_stored_ratings_do_not_line_up_with_the_markers_of_who_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The k-th "has answered" marker and the k-th rating were stored side by side in order."""
    import random

    from careloop.core import shuffled_storage

    monkeypatch.setattr(shuffled_storage, "shuffle", random.Random(5).shuffle)
    review, people = _rated_review(5)
    given = dict(zip((person.pk for person in people), (3, 5, 1, 4, 2), strict=True))
    for person in people:
        services.record_process_feedback(review, person, given[person.pk])

    markers = _physical_order("learning_processfeedbackmarker", "participant_id")
    ratings = _physical_order("learning_processfeedbackanswer", "safety")
    paired = sum(given[person] == rating for person, rating in zip(markers, ratings, strict=True))
    assert paired < len(people)


def _physical_order(table: str, column: str) -> list[object]:
    """A column of a table in the order the database stores its rows."""
    from django.db import connection

    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {order}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_opening_a_review_makes_a_draft_of_its_author_with_timeline_and_factors_in_order() -> None:
    author = UserFactory()
    draft = services.ReviewDraft(
        title="Refund sent twice",
        kind="mistake",
        summary="A refund went out twice.",
        timeline=(("09:10", "No refund showed."), ("09:12", "The second click went through.")),
        factors=((FactorCategory.TOOLING, "No warning about an earlier refund."),),
    )

    review = services.open_review(author, draft)

    assert (review.facilitator, review.team_id, review.status) == (
        author,
        author.team_id,
        ReviewStatus.DRAFT,
    )
    assert [entry.at for entry in review.timeline.all()] == ["09:10", "09:12"]
    assert [factor.category for factor in review.factors.all()] == [FactorCategory.TOOLING]
    assert selectors.may_view(author, review)
    assert not selectors.may_view(UserFactory(team=author.team), review)

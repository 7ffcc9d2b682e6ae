from __future__ import annotations

import pytest

from careloop.actions.models import ActionItem, AgendaItem, FeedbackSession
from careloop.actions.selectors import overdue_for_lead, you_said_we_did
from careloop.demo.learning import create_demo_learning
from careloop.demo.organisation import create_demo_organisation
from careloop.learning.models import LearningReview, ReviewKind, ReviewStatus
from careloop.learning.selectors import recurrences
from careloop.people.models import User
from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import BuiltDemo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_has_reviews_of_every_kind_and_stage(demo: BuiltDemo) -> None:
    reviews = LearningReview.objects.all()
    assert reviews.count() == 6
    assert set(reviews.values_list("kind", flat=True)) == set(ReviewKind.values)
    statuses = list(reviews.values_list("status", flat=True))
    assert statuses.count(ReviewStatus.PUBLISHED) == 4
    assert statuses.count(ReviewStatus.DRAFT) == 1
    assert statuses.count(ReviewStatus.IN_REVIEW) == 1
    assert ActionItem.objects.count() == 12
    assert ActionItem.objects.filter(source_kind="learning_review").count() == 7
    assert FeedbackSession.objects.count() == 2
    assert AgendaItem.objects.count() == 3


def test_published_demo_reviews_have_factors_timeline_and_participants(demo: BuiltDemo) -> None:
    for review in LearningReview.objects.filter(status=ReviewStatus.PUBLISHED):
        assert 2 <= review.factors.count() <= 3
        assert review.timeline.exists()
        assert review.participants.count() == 3


def test_refund_tool_factor_recurs_across_demo_reviews(demo: BuiltDemo) -> None:
    review = LearningReview.objects.get(title="Refund confirmation sent in the wrong currency")
    themes = {(found.category_label, found.reviews) for found in recurrences(review)}
    assert ("Tooling", 3) in themes


def test_demo_feed_and_overdue_items_are_not_empty(demo: BuiltDemo) -> None:
    assert you_said_we_did().count() == 6
    assert all(item.evidence for item in you_said_we_did())
    lead = User.objects.get(full_name="Yuki Tanaka")
    assert overdue_for_lead(lead).exists()


def test_demo_learning_is_created_once(demo: BuiltDemo) -> None:
    counts = (LearningReview.objects.count(), ActionItem.objects.count())
    create_demo_organisation(conversations=CONVERSATIONS)
    create_demo_learning()
    assert (LearningReview.objects.count(), ActionItem.objects.count()) == counts

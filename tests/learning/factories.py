from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from careloop.learning.models import (
    ContributingFactor,
    FactorCategory,
    LearningReview,
    ReviewKind,
    TimelineEntry,
)
from tests.people.factories import UserFactory


class LearningReviewFactory(DjangoModelFactory[LearningReview]):
    class Meta:
        model = LearningReview

    title = factory.Sequence(lambda n: f"Refund sent twice {n}")
    kind = ReviewKind.MISTAKE
    summary = "A refund went out twice for the same order."
    facilitator = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("facilitator.team")


class ContributingFactorFactory(DjangoModelFactory[ContributingFactor]):
    class Meta:
        model = ContributingFactor

    review = factory.SubFactory(LearningReviewFactory)
    category = FactorCategory.TOOLING
    description = "The refund tool does not warn about an earlier refund."


class TimelineEntryFactory(DjangoModelFactory[TimelineEntry]):
    class Meta:
        model = TimelineEntry

    review = factory.SubFactory(LearningReviewFactory)
    at = "09:10"
    known = "The order showed no refund yet."

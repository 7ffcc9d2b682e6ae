"""Reads for learning reviews: who may see what, and which factors keep coming back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from careloop.actions.models import ActionItem
from careloop.core import calendar
from careloop.core.permissions import Action, restrict
from careloop.learning.models import ContributingFactor, LearningReview, ReviewStatus, Visibility
from careloop.people.models import User


def visible_reviews(user: User) -> QuerySet[LearningReview]:
    """Drafts belong to their facilitator and participants; published reviews follow visibility
    (an organisation-wide one reaches everyone) and READ_LEARNING_REVIEWS."""
    involved = Q(facilitator=user) | Q(participants__person=user)
    published = LearningReview.objects.filter(status=ReviewStatus.PUBLISHED)
    reached = restrict(published, user, Action.READ_LEARNING_REVIEWS)
    shared = Q(pk__in=reached.values("pk")) | Q(
        status=ReviewStatus.PUBLISHED, visibility=Visibility.ORGANISATION
    )
    return LearningReview.objects.filter(involved | shared).distinct()


def may_view(user: User, review: LearningReview) -> bool:
    return visible_reviews(user).filter(pk=review.pk).exists()


def action_items_for(review: LearningReview) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        source_kind=ActionItem.SourceKind.LEARNING_REVIEW, source_id=review.pk
    ).select_related("owner")


def openable_action_item_ids(user: User, review: LearningReview) -> set[int]:
    """The review's action items this person may open; the others are listed without a link."""
    return set(
        restrict(action_items_for(review), user, Action.SEE_ACTION_ITEMS).values_list(
            "pk", flat=True
        )
    )


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "there",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "when",
        "which",
        "while",
        "with",
        "without",
        "did",
        "does",
        "didn't",
        "wasn't",
        "isn't",
        "very",
    ]
)
_WORD = re.compile(r"[a-z][a-z'-]+")


def keywords(description: str) -> list[str]:
    """Normalised content words, in order: what two factors must share to count as the same."""
    seen: list[str] = []
    for word in _WORD.findall(description.lower()):
        word = word.strip("'-")
        if len(word) >= 3 and word not in _STOPWORDS and word not in seen:
            seen.append(word)
    return seen


@dataclass(frozen=True)
class Recurrence:
    category_label: str
    theme: str
    reviews: int

    @property
    def message(self) -> str:
        return (
            f"{_ordinal(self.reviews)} review this quarter citing “{self.theme}” "
            f"({self.category_label.lower()})."
        )


_ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth"]


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if n <= len(_ORDINALS) else f"{n}th"


def quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def recurrences(review: LearningReview) -> list[Recurrence]:
    """This review's factors whose category and keywords other reviews this quarter share."""
    since = quarter_start(calendar.today())
    earlier = list(
        ContributingFactor.objects.filter(review__created_at__date__gte=since)
        .exclude(review=review)
        .only("review_id", "category", "description")
    )
    found: list[Recurrence] = []
    for factor in review.factors.all():
        own = keywords(factor.description)
        shared_words: set[str] = set()
        other_reviews: set[int] = set()
        for other in earlier:
            if other.category != factor.category:
                continue
            common = set(own) & set(keywords(other.description))
            if common:
                shared_words |= common
                other_reviews.add(other.review_id)
        if other_reviews:
            theme = " ".join(word for word in own if word in shared_words)
            found.append(Recurrence(factor.get_category_display(), theme, len(other_reviews) + 1))
    return found

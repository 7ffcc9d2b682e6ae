from __future__ import annotations

import pytest

from careloop.core.permissions import Role
from careloop.feedback.models import Theme, ThemeAssignment, ThemeSource
from careloop.feedback.selectors import theme_summaries
from careloop.feedback.services import concerns, theming
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

DELIVERY = [
    "The parcel arrived late again",
    "My order never arrived, the courier lost it",
    "Shipping was so slow, the parcel came a week late",
    "Courier left my parcel in the rain",
]
REFUNDS = [
    "The refund took forever",
    "Still waiting for my money back",
    "Refund not processed after a month",
    "I want my money back, the refund is stuck",
]


def comment(text: str, *, customer_name: str = "", agent_name: str = "") -> None:
    customer = CustomerFactory(full_name=customer_name) if customer_name else CustomerFactory()
    agent = UserFactory(role=Role.AGENT, full_name=agent_name) if agent_name else None
    answered(solved_conversation(customer=customer, agent=agent), comment=text, csat=2)


def theme_of(text_start: str) -> Theme:
    return ThemeAssignment.objects.get(text__startswith=text_start).theme


def test_comments_are_grouped_into_themes_with_their_trend_and_emotion_mix() -> None:
    for text in DELIVERY + REFUNDS:
        comment(text)
    result = theming.refresh_themes()
    assert result.new_themes == 2
    assert theme_of("The parcel arrived") == theme_of("Courier left")
    assert theme_of("The refund took") != theme_of("The parcel arrived")

    summaries = theme_summaries(include_concerns=True)
    assert sorted(summary.total for summary in summaries) == [4, 4]
    assert all(sum(count for _, count in summary.trend) == 4 for summary in summaries)
    assert all(summary.emotions for summary in summaries)
    assert all(summary.by_source == {"Survey comment": 4} for summary in summaries)
    weekly = theme_summaries(include_concerns=True, by="week", periods=8)
    assert all(len(s.trend) == 8 and s.trend[-1][1] == 4 for s in weekly)


def test_personal_data_is_scrubbed_before_analysis() -> None:
    comment(
        "Jonas Weber here, email jonas@example.com, Priya on the phone was lovely",
        customer_name="Jonas Weber",
        agent_name="Priya Natarajan",
    )
    for text in DELIVERY[:3]:
        comment(text)
    theming.refresh_themes()
    stored = " ".join(ThemeAssignment.objects.values_list("text", flat=True))
    for personal in ("Jonas", "Weber", "jonas@example.com", "Priya"):
        assert personal not in stored


def test_a_renamed_theme_keeps_its_name_and_collects_new_texts_on_the_next_run() -> None:
    for text in DELIVERY:
        comment(text)
    theming.refresh_themes()
    theme = Theme.objects.get()
    theming.rename_theme(theme, "  Parcels   going astray ")
    comment("The courier lost my parcel again")
    result = theming.refresh_themes()
    assert result.joined == 1 and result.new_themes == 0
    theme.refresh_from_db()
    assert theme.label == "Parcels going astray" and theme.renamed
    assert theme.assignments.count() == 5
    assert theming.refresh_themes().joined == 0  # nothing new: nothing changes


def test_concerns_and_conversation_tags_join_themes_too() -> None:
    for text in DELIVERY:
        concerns.raise_concern(category="other", body=text, anonymous=True)
    result = theming.refresh_themes()
    assert result.new_themes == 1
    assert set(ThemeAssignment.objects.values_list("source", flat=True)) == {ThemeSource.CONCERN}
    # Concerns are counted, never quoted, for the people who handle them; others never see them.
    [summary] = theme_summaries(include_concerns=True)
    assert (summary.total, summary.samples) == (4, [])
    assert theme_summaries(include_concerns=False) == []

"""Telling praise from polite thanks, with the empathy engine's real reading."""

from __future__ import annotations

import pytest

from careloop.empathy.engine import read_customer_message
from careloop.recognition.praise import find_praise


@pytest.mark.parametrize(
    "text",
    [
        "It arrived this morning, all good. Thanks for chasing it!",
        "Thank you so much, you were brilliant!",
        "The replacement came and it's perfect. Thank you!",
    ],
)
def test_warm_thanks_for_what_was_done_is_praise(text: str) -> None:
    assert find_praise(text, read_customer_message(text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Thanks in advance.",
        "Where is my order? Thanks.",
        "This is useless, thanks for nothing",
        "My parcel is late again and nobody answers.",
    ],
)
def test_polite_thanks_questions_sarcasm_and_complaints_are_not_praise(text: str) -> None:
    assert find_praise(text, read_customer_message(text)) is None


def test_praise_that_names_an_agent_says_whom() -> None:
    text = "Please pass my thanks to Priya, she sorted everything."
    found = find_praise(
        text, read_customer_message(text), agent_names=["Sam Okafor", "Priya Natarajan"]
    )
    assert found is not None
    assert found.named == "Priya Natarajan"


def test_a_bare_acknowledgement_to_a_named_agent_is_not_praise() -> None:
    text = "Hi Joshua,\n\nGot it, thank you.\n\nChristophe"
    assert find_praise(text, read_customer_message(text), agent_names=["Joshua Diaz"]) is None


def test_named_thanks_that_says_what_happened_is_praise() -> None:
    text = "Hi Amparo,\n\nI can see the money now, thank you.\n\nMaria"
    found = find_praise(text, read_customer_message(text), agent_names=["Amparo Vera"])
    assert found is not None and found.named == "Amparo Vera"


@pytest.mark.parametrize(
    "text",
    [
        "Hi Yuki,\n\nGot it, thank you. I want a proper answer this time, not a template.",
        "The replacement came and it's perfect. Thank you! I expect this to be fixed immediately.",
        "Unfortunately this isn't over yet. Great, thanks for the quick help.",
    ],
)
def test_thanks_mixed_with_a_demand_is_not_praise(text: str) -> None:
    assert find_praise(text, read_customer_message(text), agent_names=["Yuki Tanaka"]) is None

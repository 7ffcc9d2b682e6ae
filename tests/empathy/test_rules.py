from __future__ import annotations

import pytest

from careloop.empathy.blame import find_blame_language
from careloop.empathy.policy_walls import find_policy_walls


@pytest.mark.parametrize(
    ("reply", "category", "span"),
    [
        (
            "We cannot, it would show on our inventory and I'd be held responsible.",
            "blame-fear",
            "I'd be held responsible",
        ),
        ("Sorry, that's our policy.", "policy", "that's our policy"),
        (
            "The system doesn't allow me to change the address.",
            "system",
            "The system doesn't allow",
        ),
        ("If I did that I'd get in trouble.", "blame-fear", "I'd get in trouble"),
        (
            "Per company policy we cannot accept returns after 30 days.",
            "policy",
            "Per company policy",
        ),
        ("We can't refund opened items.", "refusal", "We can't refund"),
        ("My hands are tied here.", "ownership", "My hands are tied"),
        ("That's not my department.", "ownership", "That's not my department"),
    ],
)
def test_policy_walls_are_flagged_with_their_span_and_a_better_move(
    reply: str, category: str, span: str
) -> None:
    flags = find_policy_walls(reply)

    assert span in {flag.text for flag in flags if flag.category == category}, flags
    for flag in flags:
        assert reply[flag.start : flag.end] == flag.text
        assert flag.prompt


@pytest.mark.parametrize(
    "reply",
    [
        "We can't wait to help you!",
        "I can't believe this happened - let me fix it right away.",
        "Our policy is to refund you in full, so I've done that.",
        "We can't refund the shipping, but what I can do is send a replacement today.",
        "Per our policy you get a free swap, which I've arranged.",
        "I cannot thank you enough for your patience.",
        "The system will email you a returns label within the hour.",
        "I'd be happy to swap it for you.",
    ],
)
def test_helpful_replies_are_not_policy_walls(reply: str) -> None:
    assert find_policy_walls(reply) == []


def test_the_inventory_excuse_is_flagged_for_both_the_numbers_and_the_fear() -> None:
    reply = "We cannot swap it, it would show on our inventory and I'd be held responsible."

    categories = {flag.category for flag in find_policy_walls(reply)}

    assert {"blame-fear", "refusal"} <= categories


@pytest.mark.parametrize(
    ("text", "category", "span"),
    [
        ("Tom forgot to send the renewal reminder.", "person-subject", "Tom forgot"),
        ("The agent should have checked the address.", "counterfactual", "should have"),
        ("Root cause: human error.", "human-error", "human error"),
        ("The courier failed to scan the parcel.", "counterfactual", "failed to"),
        ("That was careless of the night shift.", "character", "careless"),
        ("Obviously the form was wrong.", "hindsight", "Obviously"),
        ("All he had to do was click refresh.", "hindsight", "All he had to do"),
        ("Sam simply ignored the alert.", "person-subject", "Sam simply ignored"),
        ("A lazy handover caused the gap.", "character", "lazy"),
    ],
)
def test_blame_language_is_flagged_with_span_and_reframe(
    text: str, category: str, span: str
) -> None:
    flags = find_blame_language(text)

    assert [flag.category for flag in flags] == [category]
    flag = flags[0]
    assert (flag.text, text[flag.start : flag.end]) == (span, span)
    assert flag.prompt


@pytest.mark.parametrize(
    "text",
    [
        "The renewal reminder was not sent.",
        "We shipped to the old address because the form pre-filled it.",
        "Tom fixed the printer on Monday.",
        "The team will review the checklist next week.",
        "Support answered within the hour.",
    ],
)
def test_neutral_write_ups_carry_no_blame_flags(text: str) -> None:
    assert find_blame_language(text) == []


def test_flags_come_back_in_text_order() -> None:
    text = "Obviously Tom forgot, and the root cause was human error."

    flags = find_blame_language(text)

    assert [flag.category for flag in flags] == ["hindsight", "person-subject", "human-error"]
    assert [flag.start for flag in flags] == sorted(flag.start for flag in flags)


@pytest.mark.parametrize(
    "reply", ["Sorry, that's our policy.", "We can't refund opened items.", "My hands are tied."]
)
def test_coaching_prompts_are_plain_text_without_markdown(reply: str) -> None:
    prompts = [flag.prompt for flag in find_policy_walls(reply)]

    assert prompts
    assert not [prompt for prompt in prompts if "*" in prompt or "_" in prompt]

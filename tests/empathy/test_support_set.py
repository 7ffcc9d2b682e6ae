"""Regression tests on careloop's own customer-service set (tests/empathy/data/support_set.jsonl).

The set is ours, written for these tests: it is not part of any published data and is never
used for the comparison with the papers in `careloop empathy eval`. Each record is one of:
- message: {"text", "distressed", optionally "emotions" (any one of them present at 0.5) and
  "not_emotions" (none of them present)};
- reply: {"customer", "reply", and the three EPITOME levels we assign};
- wall: {"reply", "walls": the policy-wall categories it must carry, [] for none}.
Replies are compared on "any empathy of this kind" (level > 0), as a coach shows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from careloop.empathy.engine import (
    read_customer_message,
    read_customer_messages,
    score_replies,
    score_reply,
)
from careloop.empathy.heads import MECHANISMS, Heads
from careloop.empathy.policy_walls import find_policy_walls

SUPPORT_SET = Path(__file__).parent / "data" / "support_set.jsonl"
# Least share of the set each reading must agree with. They sit a little below what the
# committed engine reaches, so a change that makes support text read worse fails here.
MIN_DISTRESS_AGREEMENT = 0.9
MIN_EMOTION_AGREEMENT = 0.9
MIN_MECHANISM_AGREEMENT = 0.85
MIN_WALL_AGREEMENT = 0.95


def support_set(kind: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in SUPPORT_SET.read_text(encoding="utf-8").splitlines()]
    return [record for record in records if record["kind"] == kind]


def test_the_set_is_big_enough_to_mean_something() -> None:
    assert len(support_set("message")) >= 20
    assert len(support_set("reply")) >= 15
    assert len(support_set("wall")) >= 20


def test_customer_distress_and_emotions_agree_with_the_support_set(heads: Heads) -> None:
    messages = support_set("message")
    readings = read_customer_messages([message["text"] for message in messages])

    distress_agrees = [
        (reading.distress >= 0.5) == message["distressed"]
        for message, reading in zip(messages, readings, strict=True)
    ]
    labelled = [
        (message, reading)
        for message, reading in zip(messages, readings, strict=True)
        if message.get("emotions") or message.get("not_emotions")
    ]
    emotions_agree = [
        (not message.get("emotions") or any(reading.scaled[e] >= 0.5 for e in message["emotions"]))
        and not any(reading.scaled[e] >= 0.5 for e in message.get("not_emotions", []))
        for message, reading in labelled
    ]
    assert sum(distress_agrees) / len(messages) >= MIN_DISTRESS_AGREEMENT
    assert sum(emotions_agree) / len(labelled) >= MIN_EMOTION_AGREEMENT


def test_reply_mechanisms_agree_with_the_support_set(heads: Heads) -> None:
    replies = support_set("reply")
    scores = score_replies([(reply["customer"], reply["reply"]) for reply in replies])

    for mechanism in MECHANISMS:
        agrees = [
            (getattr(score, mechanism) > 0) == (reply[mechanism] > 0)
            for reply, score in zip(replies, scores, strict=True)
        ]
        assert sum(agrees) / len(replies) >= MIN_MECHANISM_AGREEMENT, mechanism


def test_policy_walls_agree_with_the_support_set() -> None:
    walls = support_set("wall")
    agrees = [
        sorted({flag.category for flag in find_policy_walls(wall["reply"])})
        == sorted(wall["walls"])
        for wall in walls
    ]
    assert sum(agrees) / len(walls) >= MIN_WALL_AGREEMENT


def test_a_caring_reply_to_a_smashed_birthday_gift_shows_all_three_mechanisms(
    heads: Heads,
) -> None:
    score = score_reply(
        "My parcel arrived smashed and it was a birthday gift. I'm so upset.",
        "Oh no, that's awful — I'd be heartbroken too. It sounds like the gift mattered a lot. "
        "What day is the birthday? I'll make sure a new one arrives before it.",
    )

    assert score.emotional_reactions > 0
    assert score.interpretations > 0
    assert score.explorations > 0
    assert score.need == "needed-and-given"
    assert score.empathy >= 0.5


def test_a_long_unanswered_wait_reads_as_annoyed_and_distressed(heads: Heads) -> None:
    reading = read_customer_message(
        "I have waited three weeks and nobody answers, this is ridiculous"
    )

    assert {"annoyance", "anger"} & set(reading.present)
    assert reading.distress >= 0.5
    assert any("nobody answers" in phrase.text for phrase in reading.distress_phrases)


def test_pointing_at_section_4_2_of_the_terms_is_a_policy_wall() -> None:
    flags = find_policy_walls("As per our policy … please refer to section 4.2 of our terms")

    assert [flag.category for flag in flags] == ["policy", "policy"]
    assert flags[-1].text == "please refer to section 4.2 of our terms"


@pytest.mark.parametrize(
    "text",
    ["Oh great, another week of waiting. Fantastic service as always.", "Thanks for nothing."],
)
def test_sarcasm_reads_as_annoyance_not_gratitude(heads: Heads, text: str) -> None:
    reading = read_customer_message(text)

    assert "annoyance" in reading.present
    assert not {"gratitude", "admiration", "joy"} & set(reading.present)


def test_a_negated_worry_is_not_read_as_fear(heads: Heads) -> None:
    reading = read_customer_message("I'm not worried about the delay, just let me know when.")

    assert not {"fear", "nervousness"} & set(reading.present)


def test_asking_only_for_an_order_number_explores_nothing(heads: Heads) -> None:
    score = score_reply(
        "I'm really worried, my medication was in that package.",
        "Could you confirm your order number please?",
    )

    assert score.explorations == 0

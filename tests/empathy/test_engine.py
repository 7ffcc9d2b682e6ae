from __future__ import annotations

import pytest

from careloop.empathy.distress_cues import find_distress_cues
from careloop.empathy.engine import (
    EMOTION_GROUPS,
    read_customer_message,
    read_customer_messages,
    scale_to_threshold,
    score_replies,
    score_reply,
)
from careloop.empathy.heads import Heads

DISTRESSED = (
    "This is the third time my order has gone missing. I'm furious and honestly scared I've "
    "lost the money - nobody is answering me and I feel completely ignored."
)
CALM = "Hi, could you let me know the opening hours of your Leeds store? Thanks."
EMPATHETIC = (
    "I'm so sorry, that sounds really frustrating. Could you tell me more about what happened?"
)
FLAT = "Your order number is 1234."


def test_message_reading_holds_all_labels_groups_and_a_bounded_distress(heads: Heads) -> None:
    reading = read_customer_message(DISTRESSED)

    assert set(reading.probabilities) == set(heads.emotions.labels)
    assert len(reading.scaled) == 28
    assert all(0.0 <= value <= 1.0 for value in reading.scaled.values())
    assert set(reading.groups) == set(EMOTION_GROUPS)
    assert 0.0 <= reading.distress <= 1.0
    assert set(reading.present) <= set(heads.emotions.labels)


def test_distressed_message_reads_more_distressed_than_a_calm_one(heads: Heads) -> None:
    distressed, calm = read_customer_messages([DISTRESSED, CALM])

    assert distressed.distress > calm.distress
    assert distressed.distress >= 0.5
    assert calm.distress < 0.5


def test_distress_names_the_phrases_behind_it_as_spans_of_the_text(heads: Heads) -> None:
    reading = read_customer_message(DISTRESSED)

    assert reading.distress_phrases
    for phrase in reading.distress_phrases:
        assert DISTRESSED[phrase.start : phrase.end] == phrase.text
    found = " ".join(phrase.text.lower() for phrase in reading.distress_phrases)
    assert any(word in found for word in ("furious", "scared", "ignored", "missing"))


def test_thanks_reads_as_grateful(heads: Heads) -> None:
    reading = read_customer_message("Thank you so much, that's brilliant - really appreciate it!")

    assert reading.groups["grateful"] >= 0.5
    assert "gratitude" in reading.present


def test_scaling_puts_each_threshold_at_one_half() -> None:
    assert scale_to_threshold(0.2, 0.2) == pytest.approx(0.5)
    assert scale_to_threshold(0.1, 0.2) == pytest.approx(0.25)
    assert scale_to_threshold(0.6, 0.2) == pytest.approx(0.75)
    assert scale_to_threshold(1.0, 0.2) == pytest.approx(1.0)
    assert scale_to_threshold(0.0, 0.2) == pytest.approx(0.0)


def test_reply_score_is_well_formed(heads: Heads) -> None:
    score = score_reply(DISTRESSED, EMPATHETIC)

    for level in (score.emotional_reactions, score.interpretations, score.explorations):
        assert level in (0, 1, 2)
    assert 0.0 <= score.empathy <= 1.0
    assert score.need in ("needed-and-given", "needed-and-missing", "not-needed")
    assert all(
        sum(values) == pytest.approx(1.0, abs=1e-3) for values in score.probabilities.values()
    )


def test_acknowledging_and_asking_beats_a_bare_fact(heads: Heads) -> None:
    warm, flat = score_replies([(DISTRESSED, EMPATHETIC), (DISTRESSED, FLAT)])

    assert warm.emotional_reactions > flat.emotional_reactions
    assert warm.explorations > flat.explorations
    assert warm.empathy > flat.empathy
    assert warm.need == "needed-and-given"
    assert flat.need == "needed-and-missing"


def test_a_calm_question_does_not_call_for_empathy(heads: Heads) -> None:
    assert score_reply(CALM, "We're open 9 to 5, Monday to Saturday.").need == "not-needed"


def test_batch_apis_keep_order_and_handle_empty_input(heads: Heads) -> None:
    assert score_replies([]) == []
    assert read_customer_messages([]) == []
    texts = [CALM, DISTRESSED, CALM]
    readings = read_customer_messages(texts)
    assert [reading.distress for reading in readings] == [
        read_customer_message(text).distress for text in texts
    ]
    assert read_customer_message("").distress <= 1.0


def test_plain_distress_words_lift_distress_and_show_as_phrases(heads: Heads) -> None:
    text = "Absolutely disgusted with how I was treated in your store today."

    reading = read_customer_message(text)

    assert reading.distress >= 0.5
    assert "disgusted" in [phrase.text for phrase in reading.distress_phrases]


def test_a_negated_cue_does_not_count() -> None:
    worried = "I'm worried."

    assert find_distress_cues("I'm not worried, no one is upset.") == []
    assert [worried[cue.start : cue.end] for cue in find_distress_cues(worried)] == ["worried"]

"""The empathy engine's interface for the other apps: read a customer's message, score a reply,
and (re-exported here) the rule-based coaching notes: find_policy_walls, find_blame_language.

Everything here runs on the CPU: numpy over the static heads in models/, and for replies the
contextual pair model (pair_model.py, int8 ONNX on onnxruntime) blended with them. The first
call in a process loads them (about a second), later calls reuse them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from careloop.empathy.blame import find_blame_language
from careloop.empathy.distress_cues import (
    POSITIVE_LABELS,
    CueMatch,
    find_distress_cues,
    find_negated_cues,
)
from careloop.empathy.features import Matrix, pair_vectors, reply_cues
from careloop.empathy.heads import MECHANISMS, Heads, get_heads, sigmoid, softmax
from careloop.empathy.mechanism_cues import (
    mechanism_floors,
    only_asks_for_details,
    reacts_to_nothing,
)
from careloop.empathy.pair_model import get_pair_model
from careloop.empathy.policy_walls import find_policy_walls
from careloop.empathy.rules import Flag
from careloop.empathy.wordpiece import Piece

# What a person reads in the UI: a few plain groups over the 28 GoEmotions labels.
EMOTION_GROUPS: dict[str, tuple[str, ...]] = {
    "upset": ("anger", "annoyance", "disapproval", "disgust"),
    "anxious": ("fear", "nervousness"),
    "confused": ("confusion",),
    "sad": ("sadness", "disappointment", "grief", "remorse"),
    "grateful": (
        "gratitude",
        "joy",
        "admiration",
        "approval",
        "relief",
        "love",
        "optimism",
        "excitement",
    ),
}
# Labels that make up distress, with how much each counts: confusion and embarrassment are
# a weaker sign that someone is struggling than anger or fear.
DISTRESS_LABELS: dict[str, float] = {
    "anger": 1.0,
    "annoyance": 1.0,
    "disapproval": 0.9,
    "disgust": 1.0,
    "fear": 1.0,
    "nervousness": 1.0,
    "sadness": 1.0,
    "disappointment": 1.0,
    "grief": 1.0,
    "remorse": 0.8,
    "embarrassment": 0.8,
    "confusion": 0.7,
}
# Distress at or above this means the reply should acknowledge the feeling.
EMPATHY_NEEDED_AT = 0.5
# A reply gives empathy when some mechanism is at least weak and the overall empathy reaches
# this; 0.175 agreed best (90 %) with "any annotated mechanism >= 1" on the EPITOME train split.
EMPATHY_GIVEN_AT = 0.175
# Words too plain to show a person as "what drove the reading".
PLAIN_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "but",
        "so",
        "if",
        "as",
        "by",
        "from",
        "up",
        "out",
        "just",
    ]
)
MAX_PHRASES = 3

EmpathyNeed = Literal["needed-and-given", "needed-and-missing", "not-needed"]


@dataclass(frozen=True)
class Phrase:
    """A stretch of the message that pushed distress up; start/end index the original text,
    weight (0..1, on the distress scale) says how strongly."""

    text: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class MessageReading:
    """How a customer's message reads.

    probabilities: the 28 GoEmotions labels, raw. scaled: the same, mapped so 0.5 is each
    label's tuned threshold (>= 0.5 means the emotion is present). groups: the UI groups, each
    the highest scaled value of its labels. distress: 0..1, >= 0.5 means clearly distressed.
    """

    probabilities: dict[str, float]
    scaled: dict[str, float]
    present: tuple[str, ...]
    groups: dict[str, float]
    distress: float
    distress_phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class ReplyScore:
    """EPITOME mechanisms (0 none, 1 weak, 2 strong), an overall empathy 0..1, and whether
    the customer's message called for empathy and the reply gave it."""

    emotional_reactions: int
    interpretations: int
    explorations: int
    probabilities: dict[str, tuple[float, float, float]]
    empathy: float
    customer_distress: float
    need: EmpathyNeed


def scale_to_threshold(probability: float, threshold: float) -> float:
    """Piecewise-linear map of a probability so that the tuned threshold lands on 0.5."""
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / max(1.0 - threshold, 1e-9)


def _rounded(scaled: float) -> float:
    """Four decimals, never rounding a below-threshold value up to the 0.5 line."""
    value = round(scaled, 4)
    return min(value, 0.4999) if scaled < 0.5 else value


def read_customer_message(text: str) -> MessageReading:
    """Emotions, UI groups and distress (with the phrases behind it) of one message."""
    return read_customer_messages([text])[0]


def read_customer_messages(texts: Sequence[str], explain: bool = True) -> list[MessageReading]:
    """read_customer_message for many texts at once; explain=False skips the phrases."""
    heads = get_heads()
    piece_ids = heads.encoder.piece_ids(texts)
    return _read(heads, texts, piece_ids, heads.encoder.encode_ids(piece_ids), explain)


def _read(
    heads: Heads,
    texts: Sequence[str],
    piece_ids: Sequence[Sequence[int]],
    dense: Matrix,
    explain: bool,
) -> list[MessageReading]:
    labels = heads.emotions.labels
    thresholds = heads.emotions.thresholds
    probabilities = sigmoid(heads.emotions.head.logits(dense, piece_ids))
    readings = []
    for row, text in enumerate(texts):
        raw = {label: float(probabilities[row, index]) for index, label in enumerate(labels)}
        scaled = {
            label: _rounded(scale_to_threshold(raw[label], float(thresholds[index])))
            for index, label in enumerate(labels)
        }
        cues = find_distress_cues(text)
        _cap_negated(scaled, find_negated_cues(text), cues)
        distress_by_label = {
            label: weight * scaled[label] for label, weight in DISTRESS_LABELS.items()
        }
        model_distress = min(1.0, max(distress_by_label.values()))
        distress = max([model_distress, *(cue.floor for cue in cues)])
        _apply_cues(scaled, cues)
        phrases: tuple[Phrase, ...] = ()
        if explain:
            found = [
                Phrase(text[cue.start : cue.end], cue.start, cue.end, cue.floor) for cue in cues
            ]
            if model_distress >= EMPATHY_NEEDED_AT / 2:
                driving = [
                    labels.index(label)
                    for label, value in distress_by_label.items()
                    if value >= max(EMPATHY_NEEDED_AT / 2, 0.6 * model_distress)
                ]
                spans = heads.encoder.pieces([text])[0]
                found += _driving_phrases(heads, text, spans, driving, model_distress)
            phrases = _without_overlaps(found)
        readings.append(
            MessageReading(
                probabilities=raw,
                scaled=scaled,
                present=tuple(label for label in labels if scaled[label] >= 0.5),
                groups={
                    group: max(scaled[label] for label in members)
                    for group, members in EMOTION_GROUPS.items()
                },
                distress=round(distress, 4),
                distress_phrases=phrases,
            )
        )
    return readings


def _apply_cues(scaled: dict[str, float], cues: Sequence[CueMatch]) -> None:
    """Lift each cue's emotions to at least its floor; sarcasm keeps positive labels absent."""
    for cue in cues:
        for label in cue.emotions:
            scaled[label] = max(scaled[label], cue.floor)
        if cue.sarcastic:
            for label in POSITIVE_LABELS:
                scaled[label] = min(scaled[label], 0.4999)


def _cap_negated(
    scaled: dict[str, float], negated: Sequence[CueMatch], cues: Sequence[CueMatch]
) -> None:
    """A negated cue ("not worried") keeps its emotions under the line, unless another,
    plain cue names the same emotion."""
    named = {label for cue in cues for label in cue.emotions}
    for cue in negated:
        for label in cue.emotions:
            if label not in named:
                scaled[label] = min(scaled[label], 0.4999)


def _without_overlaps(phrases: Sequence[Phrase]) -> tuple[Phrase, ...]:
    """The first MAX_PHRASES phrases that don't overlap an earlier one."""
    kept: list[Phrase] = []
    for phrase in phrases:
        if all(phrase.end <= other.start or other.end <= phrase.start for other in kept):
            kept.append(phrase)
        if len(kept) == MAX_PHRASES:
            break
    return tuple(kept)


def _driving_phrases(
    heads: Heads,
    text: str,
    pieces: Sequence[Piece],
    label_indexes: Sequence[int],
    distress: float,
) -> tuple[Phrase, ...]:
    """Words whose pieces raise the given labels' logits most, merged into adjacent runs.

    The heads are linear over a weighted mean of piece vectors plus piece presence, so each
    piece's share of a logit is exact: its weight times its vector's dot with the label's
    weights (over the mean's norm), plus its presence weight once. A phrase's weight is its
    share relative to the strongest, times the distress, so it reads on the distress scale.
    """
    if not pieces or not label_indexes:
        return ()
    encoder = heads.encoder
    head = heads.emotions.head
    ids = np.array([piece.piece_id for piece in pieces])
    weights = encoder.weights[ids]
    pooled = weights @ encoder.vectors[ids]
    norm = float(np.linalg.norm(pooled)) or 1.0
    label_weights = head.dense_weights[list(label_indexes)].sum(axis=0)
    bag = head.bag_weights[list(label_indexes)].sum(axis=0)
    share = weights * (encoder.vectors[ids] @ label_weights) / norm
    seen: set[int] = set()
    for position, piece_id in enumerate(ids.tolist()):
        if piece_id not in seen:
            share[position] += bag[piece_id]
            seen.add(piece_id)

    words: list[list[float]] = []  # [start, end, share]
    for piece, piece_share in zip(pieces, share.tolist(), strict=True):
        if piece.continues_word and words:
            words[-1][1] = piece.end
            words[-1][2] += piece_share
        else:
            words.append([piece.start, piece.end, piece_share])
    strongest = max(word[2] for word in words)
    if strongest <= 0:
        return ()
    keep = [
        word[2] >= 0.3 * strongest
        and text[int(word[0]) : int(word[1])].lower() not in PLAIN_WORDS
        and any(character.isalnum() for character in text[int(word[0]) : int(word[1])])
        for word in words
    ]
    runs: list[list[float]] = []
    previous_kept = False
    for word, kept in zip(words, keep, strict=True):
        if kept and previous_kept and text[int(runs[-1][1]) : int(word[0])].strip() == "":
            runs[-1][1] = word[1]
            runs[-1][2] += word[2]
        elif kept:
            runs.append(list(word))
        previous_kept = kept
    runs.sort(key=lambda run: -run[2])
    return tuple(
        Phrase(
            text[int(start) : int(end)],
            int(start),
            int(end),
            round(min(1.0, weight / strongest) * distress, 3),
        )
        for start, end, weight in runs[:MAX_PHRASES]
    )


def score_reply(customer_text: str, reply_text: str) -> ReplyScore:
    """How much empathy the reply expresses to this customer, by EPITOME mechanism."""
    return score_replies([(customer_text, reply_text)])[0]


def score_replies(pairs: Sequence[tuple[str, str]], *, contextual: bool = True) -> list[ReplyScore]:
    """score_reply for many (customer_text, reply_text) pairs at once. contextual=False leaves
    out the pair model (about 15 ms of CPU a pair against 1 ms): only for back-filling
    thousands of historical replies, such as the demo's year of history."""
    if not pairs:
        return []
    heads = get_heads()
    encoder = heads.encoder
    customers = [customer for customer, _ in pairs]
    replies = [reply for _, reply in pairs]
    unique_customers = list(dict.fromkeys(customers))
    customer_ids = encoder.piece_ids(unique_customers)
    customer_dense = encoder.encode_ids(customer_ids)
    readings = _read(heads, unique_customers, customer_ids, customer_dense, explain=False)
    row_of = {text: row for row, text in enumerate(unique_customers)}
    customer_rows = [row_of[text] for text in customers]
    reply_ids = encoder.piece_ids(replies)
    features = pair_vectors(customer_dense[customer_rows], encoder.encode_ids(reply_ids), replies)
    probabilities = {
        mechanism: softmax(heads.mechanisms[mechanism].logits(features, reply_ids))
        for mechanism in MECHANISMS
    }
    pair_model = get_pair_model() if contextual else None
    if pair_model is not None:
        read_together = pair_model.probabilities(
            [customer_ids[row] for row in customer_rows], reply_ids
        )
        for index, mechanism in enumerate(MECHANISMS):
            share = pair_model.settings.blend[mechanism]
            probabilities[mechanism] = (
                share * read_together[:, index] + (1 - share) * probabilities[mechanism]
            )
    distress_by_text = {
        text: reading.distress for text, reading in zip(unique_customers, readings, strict=True)
    }
    scores = []
    for row, (customer, reply) in enumerate(pairs):
        floors = mechanism_floors(reply)
        levels = {
            mechanism: max(int(np.argmax(probabilities[mechanism][row])), floors[mechanism])
            for mechanism in MECHANISMS
        }
        # Expected level of each mechanism, 0 (none) .. 1 (strong); a cue's floor counts as
        # that level for certain.
        expected = {
            mechanism: max(
                float(probabilities[mechanism][row, 1] * 0.5 + probabilities[mechanism][row, 2]),
                floors[mechanism] * 0.5,
            )
            for mechanism in MECHANISMS
        }
        if only_asks_for_details(reply):
            levels["explorations"], expected["explorations"] = 0, 0.0
        if reacts_to_nothing(reply):
            levels["emotional_reactions"], expected["emotional_reactions"] = 0, 0.0
        empathy = float(np.mean(list(expected.values())))
        distress = distress_by_text[customer]
        need: EmpathyNeed
        if distress < EMPATHY_NEEDED_AT:
            need = "not-needed"
        elif max(levels.values()) >= 1 and empathy >= EMPATHY_GIVEN_AT:
            need = "needed-and-given"
        else:
            need = "needed-and-missing"
        scores.append(
            ReplyScore(
                emotional_reactions=levels["emotional_reactions"],
                interpretations=levels["interpretations"],
                explorations=levels["explorations"],
                probabilities={
                    mechanism: tuple(  # type: ignore[misc]
                        round(float(value), 4) for value in probabilities[mechanism][row]
                    )
                    for mechanism in MECHANISMS
                },
                empathy=round(empathy, 4),
                customer_distress=distress,
                need=need,
            )
        )
    return scores


__all__ = [
    "EMOTION_GROUPS",
    "Flag",
    "MessageReading",
    "Phrase",
    "ReplyScore",
    "find_blame_language",
    "find_policy_walls",
    "read_customer_message",
    "read_customer_messages",
    "reply_cues",
    "score_replies",
    "score_reply",
]

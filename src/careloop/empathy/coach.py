"""The coach: its reading of a reply to a customer, and one concrete next step.

One reading for every place an agent writes to a customer: the inbox composer, sent replies'
private scores and role-play practice all ask `coach_reply_to`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from careloop.empathy import engine
from careloop.empathy.language import not_read_language
from careloop.empathy.policy_walls import find_policy_walls
from careloop.empathy.rules import Flag

LEVEL_WORDS = ("none", "weak", "strong")


@dataclass(frozen=True)
class Coaching:
    """What the composer shows next to a draft."""

    levels: dict[str, int]
    empathy: float
    need: str
    customer_distress: float
    walls: list[Flag]
    suggestion: str
    # The language of the customer's message or the draft when it isn't English: nothing is
    # scored then ("empathy not scored: Spanish").
    not_scored: str = ""

    @property
    def level_words(self) -> dict[str, str]:
        return {name: LEVEL_WORDS[level] for name, level in self.levels.items()}


def suggestion_for(levels: dict[str, int], need: str, walls: list[Flag]) -> str:
    """One concrete next step, the most important first."""
    if walls:
        return walls[0].prompt
    if need == "needed-and-missing":
        if levels["emotional_reactions"] == 0:
            return (
                "The customer sounds upset: name the feeling before the fix, e.g. "
                "“I'm sorry, that sounds really frustrating.”"
            )
        return "Show you understood their situation in your own words before the next step."
    if levels["explorations"] == 0 and need != "not-needed":
        return "Ask one open question about what they need, so they feel heard."
    return "Clear and caring. Say what happens next and when."


def coach_reply_to(customer_text: str, draft: str) -> Coaching:
    """The coach's reading of `draft` as an answer to `customer_text`."""
    return coach_replies_to([(customer_text, draft)])[0]


def coach_replies_to(
    pairs: Sequence[tuple[str, str]], *, contextual: bool = True
) -> list[Coaching]:
    """coach_reply_to for many (customer_text, draft) pairs, scored in one pass of the engine;
    contextual=False reads them with the static heads alone (see engine.score_replies)."""
    languages: dict[str, str] = {}

    def language_of(text: str) -> str:
        # A customer message is often answered more than once: its language is found once.
        if text not in languages:
            languages[text] = not_read_language(text)
        return languages[text]

    not_scored = [language_of(customer) or language_of(draft) for customer, draft in pairs]
    scores = iter(
        engine.score_replies(
            [pair for pair, language in zip(pairs, not_scored, strict=True) if not language],
            contextual=contextual,
        )
    )
    return [
        _not_scored(language) if language else _coaching(draft, next(scores))
        for (_, draft), language in zip(pairs, not_scored, strict=True)
    ]


def _not_scored(language: str) -> Coaching:
    return Coaching(
        levels={},
        empathy=0.0,
        need="not-scored",
        customer_distress=0.0,
        walls=[],
        suggestion="",
        not_scored=language,
    )


def _coaching(draft: str, score: engine.ReplyScore) -> Coaching:
    levels = {
        "emotional_reactions": score.emotional_reactions,
        "interpretations": score.interpretations,
        "explorations": score.explorations,
    }
    walls = find_policy_walls(draft)
    return Coaching(
        levels=levels,
        empathy=score.empathy,
        need=score.need,
        customer_distress=score.customer_distress,
        walls=walls,
        suggestion=suggestion_for(levels, score.need, walls),
    )

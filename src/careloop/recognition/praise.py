"""Telling real praise from polite thanks, and finding whom the customer is thanking.

The empathy engine reads "thanks" as gratitude even in "Thanks in advance" or "thanks for
nothing", so a reading alone is not praise: it also needs words that thank for something
done, say something warm, or name the agent, and no open question or distress.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from careloop.empathy.engine import MessageReading

GRATEFUL_AT = 0.5
CALM_BELOW = 0.3
# Thanks mixed with a complaint ("got it, thank you. I want a proper answer") is no praise.
UNEASY_GROUPS = ("upset", "anxious", "sad")
UNEASY_AT = 0.2
WARM_LABELS = frozenset({"admiration", "joy", "relief", "love", "excitement"})

_POLITE_ONLY = re.compile(
    r"\b(?:thanks|thank you)\s+(?:in advance|for nothing|anyway)\b|\bno thanks\b", re.IGNORECASE
)
_DEMANDING = re.compile(
    r"\b(?:i expect|i want|i need|i demand|not a template|not good enough|unacceptable|"
    r"still (?:not|no|waiting|broken)|disappointed|immediately|unfortunately|"
    r"(?:isn't|is not|not) over)\b",
    re.IGNORECASE,
)
_THANKS_FOR = re.compile(
    r"\b(?:thanks|thank you|thx|grateful|appreciate[ds]?)\b"
    r"(?:\s+(?:so|very)\s+much|\s+a\s+lot|\s+again)?\s+(?:for|to)\s+\w+",
    re.IGNORECASE,
)
_THANKS = re.compile(r"\b(?:thanks|thank you|thx|grateful|appreciated?)\b", re.IGNORECASE)
# Greetings, sign-offs and bare thanks: what is left after them says whether the customer
# said anything about what happened ("Hi Sam, got it, thank you" says nothing).
_FILLER = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "dear",
        "thanks",
        "thank",
        "you",
        "thx",
        "ok",
        "okay",
        "got",
        "it",
        "cheers",
        "regards",
        "best",
        "kind",
        "many",
        "so",
        "much",
        "a",
        "lot",
        "again",
        "all",
        "noted",
        "received",
    ]
)
MIN_SUBSTANTIVE_WORDS = 3
_WARM_WORDS = re.compile(
    r"\b(?:brilliant|great|perfect|amazing|fantastic|wonderful|lovely|helpful|kind|star|"
    r"superb|excellent|above and beyond|lifesaver|so much|a lot|really appreciate)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Praise:
    """A customer's praise: the words, and the first name that was mentioned (if any)."""

    text: str
    named: str


def reading_is_grateful(groups: Mapping[str, float], present: Sequence[str]) -> bool:
    return groups.get("grateful", 0.0) >= GRATEFUL_AT or "gratitude" in present


def find_praise(
    text: str,
    reading: MessageReading | None = None,
    *,
    groups: Mapping[str, float] | None = None,
    present: Sequence[str] = (),
    distress: float = 0.0,
    agent_names: Sequence[str] = (),
) -> Praise | None:
    """The praise in `text`, or None for polite thanks, questions, complaints and sarcasm.

    Pass the engine's `reading`, or the stored `groups`/`present`/`distress` of one.
    """
    if reading is not None:
        groups, present, distress = reading.groups, reading.present, reading.distress
    if groups is None or not reading_is_grateful(groups, present) or distress >= CALM_BELOW:
        return None
    if any(groups.get(group, 0.0) >= UNEASY_AT for group in UNEASY_GROUPS):
        return None
    if "?" in text or _POLITE_ONLY.search(text) or _DEMANDING.search(text):
        return None
    named = named_agent(text, agent_names)
    thanked = bool(_THANKS.search(text))
    warm = bool(_THANKS_FOR.search(text) or _WARM_WORDS.search(text)) or bool(
        WARM_LABELS.intersection(present)
    )
    if (thanked and warm) or (named and (warm or (thanked and _says_something(text)))):
        return Praise(text=text, named=named)
    return None


def _says_something(text: str) -> bool:
    """More than a greeting, a name and a bare thank-you."""
    words = re.findall(r"[A-Za-z']+", text)
    capitalised_alone = {w for w in words if w[0].isupper() and w.lower() not in _FILLER}
    substantive = [
        word
        for word in words
        if word.lower() not in _FILLER and not (word in capitalised_alone and word != "I")
    ]
    return len(substantive) >= MIN_SUBSTANTIVE_WORDS


def named_agent(text: str, agent_names: Sequence[str]) -> str:
    """The first of `agent_names` whose first name appears in `text` as a word."""
    for name in agent_names:
        first = name.split(" ", 1)[0]
        if len(first) > 1 and re.search(rf"\b{re.escape(first)}\b", text, re.IGNORECASE):
            return name
    return ""

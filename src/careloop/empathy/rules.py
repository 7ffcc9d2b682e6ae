"""Shared shape of the rule-based coaching flags (policy walls, blame language)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentences end at . ! ? or a line break; good enough to scope a guard to "the same sentence".
SENTENCE_END = re.compile(r"[.!?\n]+")


@dataclass(frozen=True)
class Rule:
    """One pattern in a rule table. `requires` / `unless` look at the flag's sentence."""

    category: str
    pattern: re.Pattern[str]
    prompt: str
    requires: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Flag:
    """A coaching note on a span of text: text[start:end] is what matched. Never a block."""

    category: str
    start: int
    end: int
    text: str
    prompt: str


def rule(
    category: str,
    pattern: str,
    prompt: str,
    requires: str | None = None,
    unless: str | None = None,
    ignore_case: bool = True,
) -> Rule:
    flags = re.IGNORECASE if ignore_case else 0
    return Rule(
        category,
        re.compile(pattern, flags),
        prompt,
        re.compile(requires, re.IGNORECASE) if requires else None,
        re.compile(unless, re.IGNORECASE) if unless else None,
    )


def sentence_around(text: str, start: int, end: int) -> str:
    sentence_start = 0
    for boundary in SENTENCE_END.finditer(text, 0, start):
        sentence_start = boundary.end()
    following = SENTENCE_END.search(text, end)
    return text[sentence_start : following.start() if following else len(text)]


def apply_rules(text: str, rules: tuple[Rule, ...]) -> list[Flag]:
    """Every rule match whose sentence passes its guards; overlapping matches keep the first
    rule's (tables list the most specific patterns first). Ordered by position."""
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []
    for each in rules:
        for match in each.pattern.finditer(text):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            sentence = sentence_around(text, start, end)
            if each.requires and not each.requires.search(sentence):
                continue
            if each.unless and each.unless.search(sentence):
                continue
            taken.append((start, end))
            flags.append(Flag(each.category, start, end, text[start:end], each.prompt))
    return sorted(flags, key=lambda flag: flag.start)

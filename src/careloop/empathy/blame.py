"""Blame language in internal writing (reviews, notes, incident write-ups): counterfactuals,
character judgements, "human error" as a cause, a person as the subject of a failure, and
hindsight minimisers. Each flag carries a reframe prompt; coaching, never blocking."""

from __future__ import annotations

from careloop.empathy.rules import Flag, Rule, apply_rules, rule

REFRAME_COUNTERFACTUAL = (
    "Say what happened and why it made sense at the time, rather than what should have "
    "happened. What would make the right step easier next time?"
)
REFRAME_CHARACTER = (
    "Describe the action and its situation, not the person: what made it easy to slip, what "
    "would have caught it?"
)
REFRAME_HUMAN_ERROR = (
    "Human error is where the inquiry starts, not where it ends: which conditions (tools, time "
    "pressure, handover, unclear steps) made the slip likely?"
)
REFRAME_PERSON_SUBJECT = (
    "Make the work the subject, not the person: 'the reminder wasn't sent' - then ask what in "
    "the process would have caught it."
)
REFRAME_HINDSIGHT = (
    "What looks obvious now often wasn't then: describe what the person knew and saw at the time."
)

_FAILURE_VERBS = (
    r"(?:forgot|missed|ignored|failed|neglected|overlooked|messed up|screwed up|dropped the ball|"
    r"didn't bother|did not bother|botched|broke|skipped|never checked|didn't check|"
    r"did not check|misread|mixed up|lost)"
)
# Capitalised words that start sentences or name things, not people.
_NOT_NAMES = (
    r"(?!(?:The|This|That|It|We|They|He|She|You|I|Our|Their|His|Her|Someone|Somebody|Nobody|"
    r"Everyone|Everybody|Team|System|Customer|Client|Support|Billing|Shipping|Warehouse|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Then|And|But|So|If|When|Also)\b)"
)

BLAME_RULES: tuple[Rule, ...] = (
    rule(
        "human-error",
        r"\b(?:human|operator|user|agent|staff|employee|personnel|clerical) errors?\b",
        REFRAME_HUMAN_ERROR,
    ),
    rule(
        "person-subject",
        r"\b"
        + _NOT_NAMES
        + r"[A-Z][a-z]+ (?:simply |just |completely |totally )?"
        + _FAILURE_VERBS
        + r"\b",
        REFRAME_PERSON_SUBJECT,
        ignore_case=False,
    ),
    rule(
        "person-subject",
        r"\b(?:he|she|they|you) (?:simply |just |completely |totally )?" + _FAILURE_VERBS + r"\b",
        REFRAME_PERSON_SUBJECT,
    ),
    rule(
        "counterfactual",
        r"\b(?:should(?:n't| not)? have|should've|ought to have|could have just|"
        r"would(?:n't| not)? have happened if)\b",
        REFRAME_COUNTERFACTUAL,
    ),
    rule("counterfactual", r"\bfail(?:ed|s)? to\b", REFRAME_COUNTERFACTUAL),
    rule("counterfactual", r"\bif only\b", REFRAME_COUNTERFACTUAL),
    rule(
        "character",
        r"\b(?:careless(?:ly|ness)?|lazy|laziness|sloppy|sloppiness|incompetent|incompetence|"
        r"negligent|negligence|reckless|irresponsible|stupid|idiotic|clueless|useless|"
        r"inattentive|lax|not paying attention|didn't pay attention|can't be bothered)\b",
        REFRAME_CHARACTER,
    ),
    rule(
        "hindsight",
        r"\b(?:obviously|it was obvious|should have known|not rocket science|"
        r"all (?:he|she|they|you|[a-z]+) (?:had|needed) to do|"
        r"(?:clearly|simply) (?:should|wasn't|was not|didn't|did not|never|failed|ignored|forgot|"
        r"had to|needed to))\b",
        REFRAME_HINDSIGHT,
    ),
)


def find_blame_language(text: str) -> list[Flag]:
    """Spans of internal writing that assign blame, each with a reframe prompt."""
    return apply_rules(text, BLAME_RULES)

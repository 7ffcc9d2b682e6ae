"""The built-in question modules, written in our own words.

Psychological safety covers the seven constructs of Edmondson's (1999) team psychological
safety measure on a 7-point agreement scale; the three negatively worded items (mistakes held
against you, difference rejected, asking for help) are reverse-scored (8 − x). The wording is
ours, not the published items'.
"""

from __future__ import annotations

from dataclasses import dataclass

from careloop.pulse.models import Module, QuestionKind


@dataclass(frozen=True)
class BuiltInItem:
    code: str
    construct: str
    text: str
    kind: str = QuestionKind.AGREEMENT
    reverse_scored: bool = False


PSYCH_SAFETY = (
    BuiltInItem(
        "ps_mistakes",
        "Mistakes not held against you",
        "When I slip up on this team, it follows me around for a long time.",
        reverse_scored=True,
    ),
    BuiltInItem(
        "ps_raising_problems",
        "Raising problems",
        "On this team we can name a hard problem out loud and get a real discussion.",
    ),
    BuiltInItem(
        "ps_difference",
        "Accepting difference",
        "Someone who thinks or works differently can end up left out on this team.",
        reverse_scored=True,
    ),
    BuiltInItem(
        "ps_risk",
        "Safe to take risks",
        "I can try an untested approach here without fearing how it looks if it fails.",
    ),
    BuiltInItem(
        "ps_help",
        "Asking for help",
        "I hesitate before asking a teammate to help me.",
        reverse_scored=True,
    ),
    BuiltInItem(
        "ps_not_undermined",
        "Not undermined",
        "I trust that no one here would quietly work against what I am trying to do.",
    ),
    BuiltInItem(
        "ps_skills_valued",
        "Skills valued",
        "The particular strengths I bring are noticed and put to good use on this team.",
    ),
)

ENGAGEMENT = (
    BuiltInItem("eng_pride", "Pride", "I am glad to tell people where I work."),
    BuiltInItem(
        "eng_intent", "Intent to stay", "I picture myself still working here in two years."
    ),
    BuiltInItem("eng_accomplishment", "Accomplishment", "My work gives me a sense of achievement."),
    BuiltInItem("eng_enablement", "Enablement", "I have what I need to do right by our customers."),
    BuiltInItem(
        "eng_purpose", "Purpose", "I can see how my work makes a difference to our customers."
    ),
)

ENPS = (
    BuiltInItem(
        "enps",
        "eNPS",
        "How likely are you to recommend working here to a friend?",
        kind=QuestionKind.SCALE_0_10,
    ),
)

COMMENT = BuiltInItem(
    "comment",
    "Comment",
    "Anything else you want us to know? Names are removed before anyone reads it.",
    kind=QuestionKind.COMMENT,
)

MODULES: dict[str, tuple[BuiltInItem, ...]] = {
    Module.PSYCH_SAFETY: PSYCH_SAFETY,
    Module.ENGAGEMENT: ENGAGEMENT,
    Module.ENPS: ENPS,
}

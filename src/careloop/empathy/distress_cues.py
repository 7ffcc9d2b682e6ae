"""Plain words and phrases that mean a customer is struggling, as a floor under the model.

GoEmotions is Reddit comments; its thresholds are tuned for each label's F1 there, which
leaves customer-service staples ("I'm worried", "absolutely disgusted", "nobody has replied")
under the line. A match lifts distress to at least the cue's floor and is shown as a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEGATED_BEFORE = re.compile(
    r"\b(?:not|no|never|isn't|aren't|wasn't|don't|didn't|n't)\s+(?:\w+\s+){0,2}$"
)


@dataclass(frozen=True)
class DistressCue:
    pattern: re.Pattern[str]
    floor: float


def _cue(pattern: str, floor: float) -> DistressCue:
    return DistressCue(re.compile(pattern, re.IGNORECASE), floor)


DISTRESS_CUES: tuple[DistressCue, ...] = (
    _cue(
        r"\b(?:furious|livid|disgusted|disgusting|appalled|appalling|outraged|unacceptable|"
        r"disgraceful|a disgrace|horrendous|scammed|a scam|ripped off|terrified|desperate|"
        r"devastated|heartbroken|distraught|at my wits'? end|fed up|sick and tired|"
        r"absolutely ridiculous|beyond a joke)\b",
        0.75,
    ),
    _cue(r"\bworst \w+(?: \w+)? (?:ever|i've ever)\b|\bnever again\b", 0.7),
    _cue(
        r"\b(?:worried|worrying|anxious|nervous|scared|afraid|panicking|panicked|upset|angry|"
        r"annoyed|frustrated|frustrating|disappointed|disappointing|stressed|stressful|"
        r"ridiculous|let down|ignored|hopeless|helpless|in tears|crying)\b",
        0.6,
    ),
    _cue(
        r"\b(?:no ?one|nobody) (?:has |have )?(?:replied|answered|responded|got back|called back|"
        r"is answering|is replying|is helping)\b",
        0.6,
    ),
    _cue(r"\b(?:third|fourth|fifth) time\b|\bstill (?:hasn't|haven't|has not|have not) \w+", 0.55),
    _cue(r"\b(?:confused|confusing|don't understand|do not understand|makes no sense)\b", 0.55),
)


@dataclass(frozen=True)
class CueMatch:
    start: int
    end: int
    floor: float


def find_distress_cues(text: str) -> list[CueMatch]:
    """Cue matches that are not negated just before ("not worried", "no one is upset")."""
    matches = []
    for cue in DISTRESS_CUES:
        for match in cue.pattern.finditer(text):
            if _NEGATED_BEFORE.search(text[max(0, match.start() - 24) : match.start()]):
                continue
            matches.append(CueMatch(match.start(), match.end(), cue.floor))
    return sorted(matches, key=lambda match: (-match.floor, match.start))

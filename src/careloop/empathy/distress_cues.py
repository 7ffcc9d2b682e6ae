"""Plain words and phrases that mean a customer is struggling, as a floor under the model.

GoEmotions is Reddit comments; its thresholds are tuned for each label's F1 there, which
leaves customer-service staples ("I'm worried", "absolutely disgusted", "nobody answers",
"I have waited three weeks", a polite "I'm afraid this isn't good enough", a sarcastic
"thanks for nothing") under the line. A match lifts distress to at least the cue's floor, lifts
the emotions it names to at least the same floor (on the 0.5-is-threshold scale), and is shown
as a phrase. A sarcastic cue also keeps its positive words ("great", "thanks") from reading
as gratitude or joy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEGATED_BEFORE = re.compile(
    r"\b(?:not|no|never|isn't|aren't|wasn't|don't|didn't|n't)\s+(?:\w+\s+){0,2}$"
)
# What sarcasm turns upside down: these never read as present beside a sarcastic cue.
POSITIVE_LABELS = (
    "admiration",
    "amusement",
    "approval",
    "excitement",
    "gratitude",
    "joy",
    "love",
    "optimism",
)


@dataclass(frozen=True)
class DistressCue:
    pattern: re.Pattern[str]
    floor: float
    emotions: tuple[str, ...]
    sarcastic: bool = False


def _cue(pattern: str, floor: float, *emotions: str, sarcastic: bool = False) -> DistressCue:
    return DistressCue(re.compile(pattern, re.IGNORECASE), floor, emotions, sarcastic)


DISTRESS_CUES: tuple[DistressCue, ...] = (
    _cue(
        r"\b(?:furious|livid|outraged|unacceptable|disgraceful|a disgrace|horrendous|scammed|"
        r"a scam|ripped off)\b",
        0.75,
        "anger",
    ),
    _cue(r"\b(?:disgusted|disgusting|appalled|appalling)\b", 0.75, "disgust"),
    _cue(r"\b(?:terrified|desperate|panicking|panicked)\b", 0.75, "fear"),
    _cue(r"\b(?:devastated|heartbroken|distraught|in tears|crying)\b", 0.75, "sadness"),
    _cue(
        r"\b(?:at my wits'? end|fed up|sick and tired|absolutely ridiculous|beyond a joke)\b",
        0.75,
        "annoyance",
    ),
    _cue(r"\bworst \w+(?: \w+)? (?:ever|i've ever)\b|\bnever again\b", 0.7, "disappointment"),
    _cue(
        r"\bthanks for nothing\b|\b(?:oh )?(?:great|brilliant|fantastic|wonderful|perfect|lovely)"
        r",? (?:just )?(?:another|more|so now|now i|yet again)\b|\b(?:great|brilliant|fantastic|"
        r"stellar|amazing|excellent|wonderful) (?:customer )?service,? (?:as always|again|"
        r"as usual)\b|\b(?:love|loving) how (?:you|nobody|no one|i have to|i've had to)\b|"
        r"\bwow,? just wow\b|\breally helpful,? not\b",
        0.6,
        "annoyance",
        sarcastic=True,
    ),
    _cue(
        r"\b(?:worried|worrying|anxious|nervous|stressed|stressful)\b", 0.6, "nervousness", "fear"
    ),
    _cue(r"\b(?:scared|frightened)\b", 0.6, "fear"),
    _cue(r"\b(?:upset|hopeless|helpless|ignored)\b", 0.6, "sadness"),
    _cue(r"\bangry\b", 0.6, "anger"),
    _cue(
        r"\b(?:annoyed|annoying|frustrated|frustrating|ridiculous|what a joke|a joke)\b",
        0.6,
        "annoyance",
    ),
    _cue(
        r"\b(?:disappointed|disappointing|let down)\b|\b(?:not|isn't|wasn't|am not|'m not) "
        r"(?:at all )?(?:happy|pleased|impressed|satisfied|good enough|acceptable|okay|ok)\b",
        0.6,
        "disappointment",
    ),
    _cue(
        r"\b(?:no ?one|nobody) (?:has |have |is |ever )?(?:replied|replies|answered|answers|"
        r"responded|responds|got back|gets back|called back|calls back|answering|replying|"
        r"helping|helped|helps)\b",
        0.6,
        "annoyance",
    ),
    _cue(
        r"\b(?:waited|waiting|been waiting|still waiting)(?: for)?(?: over| more than| almost|"
        r" nearly)? (?:\w+ )?(?:days|weeks|months)\b|\bstill waiting\b",
        0.55,
        "annoyance",
    ),
    _cue(
        r"\b(?:third|fourth|fifth|3rd|4th|5th) time\b|\bstill (?:hasn't|haven't|has not|"
        r"have not) \w+|\b(?:sorry|apologies) to (?:chase|keep chasing|bother you again)\b|"
        r"\b(?:chasing|following up) (?:this )?(?:again|once more)\b",
        0.55,
        "annoyance",
    ),
    _cue(
        r"\bi was (?:really )?(?:counting|relying) on\b|\bi'?m afraid (?:this|that|it)\b",
        0.55,
        "disappointment",
    ),
    _cue(
        r"\b(?:confused|confusing|don't understand|do not understand|makes no sense)\b",
        0.55,
        "confusion",
    ),
)


@dataclass(frozen=True)
class CueMatch:
    start: int
    end: int
    floor: float
    emotions: tuple[str, ...] = ()
    sarcastic: bool = False


def _matches(text: str, negated: bool) -> list[CueMatch]:
    matches = []
    for cue in DISTRESS_CUES:
        for match in cue.pattern.finditer(text):
            before = text[max(0, match.start() - 24) : match.start()]
            if bool(_NEGATED_BEFORE.search(before)) != negated:
                continue
            matches.append(
                CueMatch(match.start(), match.end(), cue.floor, cue.emotions, cue.sarcastic)
            )
    return sorted(matches, key=lambda match: (-match.floor, match.start))


def find_distress_cues(text: str) -> list[CueMatch]:
    """Cue matches that are not negated just before ("not worried", "no one is upset")."""
    return _matches(text, negated=False)


def find_negated_cues(text: str) -> list[CueMatch]:
    """Cue matches negated just before: "I'm not worried" says the feeling is absent, which
    static word vectors can't see."""
    return _matches(text, negated=True)

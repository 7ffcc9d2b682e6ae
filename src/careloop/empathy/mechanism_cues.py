"""Plain phrasings of the three EPITOME mechanisms in support replies, as a floor under the
reply heads.

The heads read a reply as a weighted mean of static word-piece vectors: they can't tell that
"I'd be heartbroken too" reacts to a feeling or that "What day is the birthday?" asks about the
customer's situation. Each cue here sets the least level (1 weak, 2 strong) its mechanism gets;
the heads can still read a higher one. Every cue's precision on the EPITOME fit split (pairs
where the annotated level is at least the cue's floor) is in docs/empathy-model-card.md; the
test split was not looked at when they were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FEELINGS = (
    r"(?:heartbroken|gutted|devastated|upset|furious|frustrated|angry|annoyed|sad|disappointed|"
    r"livid|worried|anxious|stressed|crushed|mortified|the same)"
)


@dataclass(frozen=True)
class MechanismCue:
    name: str
    mechanism: str
    level: int
    pattern: re.Pattern[str]


def _cue(name: str, mechanism: str, level: int, pattern: str) -> MechanismCue:
    return MechanismCue(name, mechanism, level, re.compile(pattern, re.IGNORECASE))


MECHANISM_CUES: tuple[MechanismCue, ...] = (
    _cue(
        "shares-the-feeling",
        "emotional_reactions",
        2,
        r"\bi(?:'d| would)(?: also| honestly| really)? (?:be|feel) (?:so |really |just as |very )?"
        + _FEELINGS
        + r"\b|\bi(?:'m| am| feel) (?:so |really |truly |genuinely )?(?:sad|heartbroken|gutted|"
        r"upset|angry|frustrated) (?:to hear|for you|about)\b|\b(?:that|this|it)(?:'s| is) "
        r"(?:so |really |truly )?(?:heartbreaking|heart-breaking|gutting|devastating)\b|"
        r"\bmy heart (?:goes out|sank|breaks)\b",
    ),
    _cue(
        "names-how-bad-it-is",
        "emotional_reactions",
        1,
        r"\boh no\b|\b(?:that|this|it)(?:'s| is| sounds| must be| must have been) (?:so |really |"
        r"truly |just |absolutely )?(?:awful|terrible|horrible|dreadful|upsetting|frustrating|"
        r"stressful|disappointing|maddening|infuriating|worrying|rough|hard|tough|scary)\b|"
        r"\bi(?:'m| am) (?:so |really |truly |very )?sorry (?:to hear|(?:that|this) happened|"
        r"about (?:that|this|the|your)|for (?:the|this|all the|your) (?:trouble|stress|worry|"
        r"hassle|upset|wait|loss))\b|\bhow (?:awful|frustrating|upsetting|disappointing|"
        r"stressful|horrible)\b|\bwhat a (?:nightmare|pain|shame)\b",
    ),
    _cue(
        "reflects-their-situation",
        "interpretations",
        1,
        r"\b(?:it|that|this) sounds like\b|\bsounds like (?:you|the|it|this|that|your)\b|"
        r"\bi can (?:see|imagine|understand|tell) (?:why|how|that|what)\b|\byou must (?:be|feel|"
        r"have been)\b|\b(?:that|this|it) must (?:be|have been|feel)\b|\b(?:mattered|matters|"
        r"meant|means|mean) (?:a lot|so much|a great deal)\b|\bno wonder you\b",
    ),
    _cue(
        "says-it-understands",
        "interpretations",
        1,
        r"\bi (?:completely |totally |fully |really )?(?:understand|get it|hear you)\b|"
        r"\bi can (?:imagine|understand)\b",
    ),
    _cue(
        "asks-about-them",
        "explorations",
        1,
        r"\bhow (?:are|have) you (?:feeling|been|holding up|doing)\b|\bhow did (?:that|this|it) "
        r"(?:make|leave) you\b|\bwhat happened\b|\btell me (?:more|a bit more|about)\b|"
        r"\bwhat (?:would|will) (?:help|make (?:this|it|things) (?:right|better|easier))\b|"
        r"\bwhat (?:matters|is most important) (?:most )?to you\b",
    ),
)
# A question is an exploration when it asks about the customer's situation, not when it asks
# for a detail to look something up or closes the conversation.
_QUESTION = re.compile(r"[^.!?\n]*\?")
_PROCEDURAL = re.compile(
    r"\b(?:order|account|reference|ref|tracking|invoice|booking|membership|case|ticket|serial|"
    r"phone|postcode|post code|zip|address|e-?mail|number|screenshot|photo|picture|receipt|"
    r"details|date of birth|card|password|username)\b|\banything else\b|\bany (?:other |more )?"
    r"questions\b|\b(?:does|did) (?:that|this) help\b|\bis (?:that|this) (?:ok|okay|alright|"
    r"all right)\b",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"^\s*(?:and |so |also |oh,? |but )?(?:what|when|which|where|how|who|why|is|are|was|were|"
    r"do|does|did|have|has|had|can|could|would|will|should)\b",
    re.IGNORECASE,
)


# Words that carry feeling, an apology or warmth. A short reply with none of them reacts to no
# emotion: on the EPITOME fit split 87 % of such replies (374 of 431, up to 20 words) are
# annotated "no emotional reaction", while the heads often read a weak one into them.
_AFFECT = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|feel\w*|felt|awful|terrible|horrible|dreadful|glad|"
    r"happy|sad|sadly|upset\w*|frustrat\w*|annoy\w*|angry|anger|furious|worr\w*|scar\w*|afraid|"
    r"fear|hope|hoping|love|hug\w*|heart\w*|oh|wow|ugh|damn|shame|unfortunate\w*|hard|tough|"
    r"rough|stress\w*|anxi\w*|pain\w*|hurt\w*|lonely|alone|cry\w*|tears|miss|sucks?|congrat\w*|"
    r"proud|amazing|great|wonderful|excit\w*|relie\w*|thank\w*|care|caring|support\w*|imagine|"
    r"understand\w*|empath\w*|sympath\w*|heartbreak\w*|gutted|devastat\w*|disappoint\w*|"
    r"nightmare|worst|bad|okay|ok|fine|safe|better|good|nice|kind|welcome|pleasure|hell|god)\b"
    r"|!|<3|:\(|:\)",
    re.IGNORECASE,
)
SHORT_REPLY_WORDS = 20


def reacts_to_nothing(reply_text: str) -> bool:
    """A short reply without a single word of feeling, apology or warmth."""
    return len(reply_text.split()) <= SHORT_REPLY_WORDS and not _AFFECT.search(reply_text)


def mechanism_floors(reply_text: str) -> dict[str, int]:
    """The least level each mechanism's cues give this reply (0 where none fired)."""
    floors = {"emotional_reactions": 0, "interpretations": 0, "explorations": 0}
    for cue in MECHANISM_CUES:
        if floors[cue.mechanism] < cue.level and cue.pattern.search(reply_text):
            floors[cue.mechanism] = cue.level
    if floors["explorations"] == 0:
        for question in _QUESTION.findall(reply_text):
            if _ASKS.search(question) and not _PROCEDURAL.search(question):
                floors["explorations"] = 1
                break
    return floors


def only_asks_for_details(reply_text: str) -> bool:
    """Every question in the reply asks for a detail or closes the conversation ("your order
    number?", "anything else?"), and nothing else in it explores: such a reply explores nothing,
    however question-like it reads to the heads."""
    questions = _QUESTION.findall(reply_text)
    return (
        bool(questions)
        and all(_PROCEDURAL.search(question) for question in questions)
        and (mechanism_floors(reply_text)["explorations"] == 0)
    )

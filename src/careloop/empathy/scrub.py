"""Remove personal data from free text before it is analysed or shown to people in aggregate."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE), "[link]"),
    # Card numbers and IBAN-like runs before phone numbers: both are long digit runs.
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[number]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b"), "[number]"),
    (re.compile(r"(?<!\w)\+?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,4}(?!\w)"), "[phone]"),
    (
        re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s)+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Way)\b"),
        "[address]",
    ),
)
# Greetings and sign-offs usually carry a first name.
_NAMED = re.compile(
    r"\b(?P<lead>(?i:hi|hello|hey|dear|thanks|thank you|cheers|regards|from|name is|i am|i'm)"
    r"[,:]?\s+)(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)


def scrub_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """`text` with emails, links, long numbers, phones, street addresses and names replaced.

    `names` are people's names known to the caller (employees, the customer); each word of
    them is replaced wherever it appears as a word.
    """
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    words = sorted({word for name in names for word in name.split() if len(word) > 1}, key=len)
    for word in reversed(words):
        text = re.sub(rf"\b{re.escape(word)}\b", "[name]", text, flags=re.IGNORECASE)
    return _NAMED.sub(lambda match: f"{match.group('lead')}[name]", text)

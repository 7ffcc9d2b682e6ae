"""Remove personal data from free text before it is analysed or shown to people in aggregate."""

from __future__ import annotations

import re
from collections.abc import Iterable

from careloop.core.redaction import PERSONAL_DATA_PATTERNS

_PATTERNS = (
    *PERSONAL_DATA_PATTERNS,
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

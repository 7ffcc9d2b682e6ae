"""Patterns for personal data that must not reach logs or analysis: one list, used by both;
and the secrets that travel in links (survey tokens, sign-in keys), kept out of every log."""

from __future__ import annotations

import logging
import re

PERSONAL_DATA_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE), "[link]"),
    # Card numbers and IBAN-like runs before phone numbers: both are long digit runs.
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[number]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b"), "[number]"),
    (re.compile(r"(?<!\w)\+?\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){2,4}(?!\w)"), "[phone]"),
)
REDACTED = "[redacted]"
# Path segments that are secrets: /survey/<token>/, /unsubscribe/<token>/, allauth's keys.
_SECRET_PATH = re.compile(
    r"(?P<before>/(?:survey|unsubscribe|confirm-email|password/reset/key)/)[^/?#\s\"]+"
)
# Query values that are secrets, whatever page they are sent to.
_SECRET_QUERY = re.compile(
    r"(?P<before>(?:^|[?&;])(?:token|code|key|secret|signature|sig|password|uid\w*)=)[^&;#\s\"]*",
    re.IGNORECASE,
)


def redact_url(text: str) -> str:
    """The URL (or request line, or referer) with secret path segments and query values hidden."""
    text = _SECRET_PATH.sub(rf"\g<before>{REDACTED}", text)
    return _SECRET_QUERY.sub(rf"\g<before>{REDACTED}", text)


# Logs keep links (paths help debugging) but never emails, card numbers or phone numbers.
_LOG_PATTERNS = tuple(entry for entry in PERSONAL_DATA_PATTERNS if entry[1] != "[link]")


def redact(
    text: str, patterns: tuple[tuple[re.Pattern[str], str], ...] = PERSONAL_DATA_PATTERNS
) -> str:
    for pattern, placeholder in patterns:
        text = pattern.sub(placeholder, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Replaces emails, card and phone numbers in every log line before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        # "Not Found: /survey/<token>/" and the like: link secrets go before anything else.
        redacted = redact(redact_url(message), _LOG_PATTERNS)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

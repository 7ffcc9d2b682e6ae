"""Whole numbers typed into URLs and forms, read strictly: one parser for every view.

int() accepts far more than a person means by a number: "²" passes str.isdigit() but int()
refuses it, "٣" (Arabic-Indic three) and " 7 " are accepted, and a 5 000-digit string becomes
a number no database column can hold. Here only ASCII digits count, with at most a leading
minus sign, a bounded length and a bounded range.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest

# Enough for any 64-bit database integer; longer input is never a number a person meant.
MAX_DIGITS = 18
BIGGEST = 2**63 - 1
_WHOLE_NUMBER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")


def parse_whole_number(
    value: object, *, default: int | None = None, minimum: int = 0, maximum: int = BIGGEST
) -> int | None:
    """The whole number written in value, or default when it is not one within the bounds."""
    if not isinstance(value, str) or not _WHOLE_NUMBER.fullmatch(value):
        return default
    number = int(value)
    return number if minimum <= number <= maximum else default


def require_whole_number(
    value: object, *, name: str, minimum: int = 0, maximum: int = BIGGEST
) -> int:
    """The whole number written in value; anything else is a bad request (HTTP 400)."""
    number = parse_whole_number(value, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadRequest(f"{name} must be a whole number from {minimum} to {maximum}.")
    return number

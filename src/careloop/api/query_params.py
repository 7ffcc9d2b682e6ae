"""Numbers in query strings, read strictly: ASCII digits only, a bounded length and range.

`str.isdigit()` accepts '²' and `int()` refuses more than 4 300 digits, both as crashes.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(text: str, lowest: int, highest: int) -> int | None:
    """The number `text` spells in ASCII digits, if within lowest–highest; None otherwise."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if lowest <= number <= highest else None


def one_whole_number(request: Request, name: str, lowest: int, highest: int) -> int | None:
    """The query parameter `name` as a number; None when absent, a 400 when it is not one."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    number = whole_number(values[0], lowest, highest) if len(values) == 1 else None
    if number is None:
        raise ValidationError({name: [f"Give one whole number, {lowest}–{highest}."]})
    return number

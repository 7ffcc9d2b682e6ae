"""Request fields that take JSON as typed: DRF would turn 0 into "0" and 1 into True.

The schema promises strings and booleans, so anything else is a 400, not a silent guess.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

# DRF refuses NUL characters and (unless blank is allowed) text that is only whitespace, which
# it trims away; saying so as a pattern puts the rules in the schema.
NO_NUL = RegexValidator(r"^[^\x00]*$", "Null characters are not allowed.")
# What Python's str.strip() (and so DRF) trims, spelled out: the schema's readers use
# ECMAScript's \s, which differs (it leaves out \x1c-\x1f and \x85, and adds \ufeff).
PYTHON_WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK = RegexValidator(
    rf"^[^\x00]*[^\x00{PYTHON_WHITESPACE}][^\x00]*$",
    "Write some text (not only spaces) and no null characters.",
)


class StrictCharField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(NO_NUL if self.allow_blank else NOT_BLANK)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        # DRF checks the length after trimming; the schema's maxLength is of the text as sent.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: "12", 12.0 and true are refused."""

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


PRINTABLE_ASCII = RegexValidator(r"^[ -~]+$", "Use printable ASCII characters only.")


class IdempotencyKeyField(serializers.CharField):
    """An idempotency key as the header takes one: 1–255 printable ASCII characters, as sent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_length=1, max_length=255, trim_whitespace=False, **kwargs)
        self.validators.append(PRINTABLE_ASCII)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """Money as a string ("25.00"), so no client loses cents to floating point."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

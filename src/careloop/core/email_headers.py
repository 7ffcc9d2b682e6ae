"""Email subjects and headers built from what people typed: always one line.

A title, a name or a template someone wrote can hold a line break; Django refuses a header
with one (it would let the text add headers of its own), and the refusal used to stop whole
reminder and escalation runs. Every email careloop sends builds its subject here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core import mail

# CR and LF, and the other characters str.splitlines() treats as line ends.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def single_line(text: object) -> str:
    """The text with every run of line breaks collapsed to one space, trimmed."""
    return _LINE_BREAKS.sub(" ", str(text)).strip()


def send_mail(
    *,
    subject: str,
    message: str,
    recipient_list: Sequence[str],
    from_email: str | None = None,
    **options: Any,
) -> int:
    """Django's send_mail, with the subject made a single line first."""
    return mail.send_mail(
        subject=single_line(subject),
        message=message,
        from_email=from_email,
        recipient_list=list(recipient_list),
        **options,
    )

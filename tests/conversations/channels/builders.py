"""Well-formed emails as a customer's mail client would write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

SUPPORT_DOMAIN = "careloop.test"
SUPPORT_ADDRESS = f"support@{SUPPORT_DOMAIN}"


def customer_email(
    *,
    sender: str = "Ada Lovelace <ada@example.test>",
    to: str = SUPPORT_ADDRESS,
    subject: str = "My order has not arrived",
    body: str = "Hello, order 42 is late.",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = subject
    email["Date"] = format_datetime(timezone.now())
    email["Message-ID"] = message_id or make_msgid(domain="example.test")
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to
    if references:
        email["References"] = references
    email.set_content(body)
    for filename, content_type, content in attachments or []:
        maintype, subtype = content_type.split("/")
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return email.as_bytes()

"""Email out: an agent's public reply leaves through the default mailer, threaded so that the
customer's mail client shows it in the same thread and the customer's answer finds its way back.
"""

from __future__ import annotations

import logging
import re
from email.utils import getaddresses

from django.conf import settings
from django.core.mail import EmailMessage, mailers, make_msgid
from django.db import transaction

from careloop.conversations.models import Channel, ContactPoint, Conversation, Message
from careloop.core.email_headers import single_line

logger = logging.getLogger(__name__)

REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd)\s*:\s*)+", re.IGNORECASE)
# Enough of the thread for clients to place the reply; the first id anchors the thread root.
MAX_REFERENCES = 20


def _address_of(header_value: str) -> str:
    addresses = [address for _, address in getaddresses([header_value]) if "@" in address]
    return addresses[0] if addresses else ""


def message_id_domain() -> str:
    configured: str = settings.CARELOOP_EMAIL_DOMAIN
    if configured:
        return configured
    return _address_of(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "careloop.localhost"


def reply_to_address(conversation: Conversation) -> str:
    """support+<reply token>@domain, so replies thread even when clients drop every header."""
    support: str = settings.CARELOOP_SUPPORT_ADDRESS
    local, at, domain = _address_of(support).partition("@")
    if not at:
        return ""
    return f"{local.split('+')[0]}+{conversation.reply_token}@{domain}"


def reply_subject(conversation: Conversation) -> str:
    token = f"[#{conversation.reply_token}]"
    subject = REPLY_PREFIX.sub("", conversation.subject.replace(token, "")).strip()
    subject = " ".join(subject.split()) or "Your message"
    return single_line(f"Re: {subject} {token}")


def _recipient(conversation: Conversation) -> str:
    customer = conversation.customer
    if customer.email:
        return customer.email
    point = customer.contact_points.filter(kind=ContactPoint.Kind.EMAIL).first()
    return point.value if point else ""


def _threading_headers(message: Message, own_id: str) -> dict[str, str]:
    earlier = (
        Message.objects.filter(
            conversation=message.conversation, created_at__lte=message.created_at
        )
        .exclude(pk=message.pk)
        .exclude(email_message_id="")
        .order_by("created_at", "pk")
    )
    chain = list(earlier.values_list("email_message_id", flat=True))
    headers = {"Message-ID": own_id}
    last_from_customer = (
        earlier.filter(author_kind=Message.Author.CUSTOMER).order_by("-created_at", "-pk").first()
    )
    if last_from_customer is not None:
        headers["In-Reply-To"] = last_from_customer.email_message_id
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[1 - MAX_REFERENCES :]]
    if chain:
        headers["References"] = " ".join(chain)
    return headers


def send_email_reply(message: Message) -> bool:
    """Send one public agent reply of an email conversation; True when this call sent it.

    The reply's own Message-ID is stored in the same transaction that sends it, with the row
    locked: a second run (a retried task, two workers) waits, then finds it sent and does
    nothing; a failed or killed send rolls back and a retry sends it. That makes delivery
    at-least-once: if the mail server accepted the email but the connection or the database
    failed before the Message-ID was committed, a retry sends it a second time.
    """
    conversation = message.conversation
    if conversation.channel != Channel.EMAIL or not message.is_public_reply:
        return False
    recipient = _recipient(conversation)
    if not recipient:
        logger.warning("Reply %s not emailed: the customer has no email address", message.pk)
        return False
    with transaction.atomic():
        unsent = Message.objects.select_for_update().filter(pk=message.pk, email_message_id="")
        if not list(unsent.values_list("pk", flat=True)):
            return False
        own_id = make_msgid(domain=message_id_domain())
        unsent.update(email_message_id=own_id)
        reply_to = reply_to_address(conversation)
        email = EmailMessage(
            subject=reply_subject(conversation),
            body=message.body_text,
            to=[recipient],
            reply_to=[reply_to] if reply_to else None,
            headers=_threading_headers(message, own_id),
        )
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as stored:
                email.attach(
                    single_line(attachment.filename), stored.read(), attachment.content_type
                )
        mailers.default.send_messages([email])
    message.email_message_id = own_id
    return True

"""Emails to customers: every one carries a signed unsubscribe link, and none goes to a
customer who unsubscribed."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping
from email.message import EmailMessage as MimeMessage

from django.core.mail import EmailMessage

from careloop.conversations.models import Customer
from careloop.core.email_headers import single_line
from careloop.core.links import absolute_url_for
from careloop.feedback.models import EmailOptOut
from careloop.feedback.tokens import unsubscribe_token

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# RFC 5322's limit for a line. Folded at 78, an unsubscribe URL is one word too long for a
# line, and Python's email package then writes it as RFC 2047 encoded words, which mail
# providers do not decode in List-Unsubscribe: one-click unsubscribe would break.
LONGEST_HEADER_LINE = 998


class CustomerEmail(EmailMessage):
    """An email whose headers keep their URLs whole: folded only past RFC 5322's limit."""

    def message(self, *, policy: email.policy.Policy | None = None) -> MimeMessage:
        policy = policy or email.policy.default
        return super().message(policy=policy.clone(max_line_length=LONGEST_HEADER_LINE))


def unsubscribe_url(customer: Customer) -> str:
    return absolute_url_for("feedback:unsubscribe", token=unsubscribe_token(customer.pk))


def is_opted_out(customer: Customer) -> bool:
    return EmailOptOut.objects.filter(customer=customer).exists()


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Replace `{name}` with values[name]; unknown placeholders stay as written.

    Plain substitution on purpose: templates are edited by people, and a template engine (or
    str.format) would let template text reach attributes of the objects behind the values.
    """
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def send_customer_email(customer: Customer, *, subject: str, body: str) -> bool:
    """Send a plain-text email with List-Unsubscribe; False when the customer cannot receive it."""
    if not customer.email or is_opted_out(customer):
        return False
    unsubscribe = unsubscribe_url(customer)
    if unsubscribe not in body:
        body = f"{body.rstrip()}\n\n--\nNo more emails like this: {unsubscribe}\n"
    CustomerEmail(
        subject=single_line(subject),
        body=body,
        to=[customer.email],
        headers={
            # RFC 8058 one-click: the mail provider POSTs to the link, with no page shown.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    ).send()
    return True

"""Milestone and triggered emails: a welcome after the first solved conversation, a thank-you
to a recovered detractor, anniversaries. Each goes once per rule and customer (once a year
for anniversaries), and never to a customer who unsubscribed."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from careloop.conversations.models import FINISHED, Conversation, Customer
from careloop.core import calendar
from careloop.feedback import emails
from careloop.feedback.models import EmailDelivery, EmailOptOut, EmailRule
from careloop.people.models import User
from careloop.people.selectors import current_organisation

logger = logging.getLogger(__name__)
Trigger = EmailRule.Trigger
PLACEHOLDERS = ("customer_first_name", "customer_name", "organisation", "years", "unsubscribe_url")

DEFAULT_RULES: dict[str, tuple[str, str]] = {
    Trigger.FIRST_SOLVED: (
        "Welcome to {organisation}",
        "Hi {customer_first_name},\n\nThank you for getting in touch with us for the first "
        "time. Whenever you need us, just reply to any of our emails or open the chat: a person "
        "from our team will answer.\n\nWarm wishes,\nThe {organisation} team\n\n"
        "Prefer fewer emails? {unsubscribe_url}",
    ),
    Trigger.RECOVERED: (
        "Thank you for giving us another chance",
        "Hi {customer_first_name},\n\nThank you for telling us honestly how we did, and for "
        "talking it through with us. We have taken what you told us to heart and changed what "
        "we could.\n\nThe {organisation} team\n\nPrefer fewer emails? {unsubscribe_url}",
    ),
    Trigger.ANNIVERSARY: (
        "{years} year(s) together, {customer_first_name}",
        "Hi {customer_first_name},\n\nIt is {years} year(s) since you became a customer of "
        "{organisation}. Thank you for your trust.\n\nThe {organisation} team\n\n"
        "Prefer fewer emails? {unsubscribe_url}",
    ),
}


def seed_default_rules() -> list[EmailRule]:
    """Create the default rules that do not exist yet; edited rules are left alone."""
    return [
        EmailRule.objects.get_or_create(
            trigger=trigger, defaults={"subject": subject, "body": body}
        )[0]
        for trigger, (subject, body) in DEFAULT_RULES.items()
    ]


def update_rule(rule: EmailRule, *, by: User, subject: str, body: str, enabled: bool) -> EmailRule:
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValidationError("A template needs a subject and a body.")
    rule.subject, rule.body, rule.enabled, rule.updated_by = subject, body, enabled, by
    rule.save()
    return rule


def placeholder_values(customer: Customer, years: int = 0) -> dict[str, str]:
    name = customer.full_name or ""
    return {
        "customer_first_name": name.split()[0] if name.split() else "there",
        "customer_name": name or "there",
        "organisation": current_organisation().name,
        "years": str(years),
        "unsubscribe_url": emails.unsubscribe_url(customer),
    }


def render_rule(rule: EmailRule, customer: Customer, years: int = 0) -> tuple[str, str]:
    values = placeholder_values(customer, years)
    return emails.fill_placeholders(rule.subject, values), emails.fill_placeholders(
        rule.body, values
    )


def send_rule_email(
    trigger: str, customer: Customer, *, occasion: str = "", years: int = 0
) -> bool:
    """Send the rule's email to the customer unless it went before; claimed first, so two runs
    never send it twice."""
    rule = EmailRule.objects.filter(trigger=trigger, enabled=True).first()
    if rule is None or not customer.email or EmailOptOut.objects.filter(customer=customer).exists():
        return False
    try:
        with transaction.atomic():
            delivery = EmailDelivery.objects.create(rule=rule, customer=customer, occasion=occasion)
    except IntegrityError:
        return False
    subject, body = render_rule(rule, customer, years)
    try:
        return emails.send_customer_email(customer, subject=subject, body=body)
    except Exception:
        delivery.delete()  # released, so the next attempt sends it
        raise


def on_conversation_solved(conversation: Conversation) -> bool:
    """The welcome note, when this is the customer's first solved conversation."""
    solved = Conversation.objects.filter(customer_id=conversation.customer_id, status__in=FINISHED)
    if solved.exclude(pk=conversation.pk).exists():
        return False
    return send_rule_email(Trigger.FIRST_SOLVED, conversation.customer)


def send_anniversaries(today: datetime.date | None = None) -> int:
    """Congratulate customers whose first day with us was this date in an earlier year."""
    today = today or calendar.today()
    # The day a customer joined is the organisation's date, not the process's current zone's.
    zone = calendar.organisation_zone()
    customers = Customer.objects.annotate(
        joined_year=ExtractYear("created_at", tzinfo=zone),
        joined_month=ExtractMonth("created_at", tzinfo=zone),
        joined_day=ExtractDay("created_at", tzinfo=zone),
    ).filter(
        merged_into__isnull=True,
        email__isnull=False,
        email_opt_out__isnull=True,
        joined_month=today.month,
        joined_day=today.day,
        joined_year__lt=today.year,
    )
    sent = 0
    for customer in customers.order_by("pk"):
        years = today.year - calendar.local_time(customer.created_at).year
        try:
            sent += send_rule_email(
                Trigger.ANNIVERSARY, customer, occasion=str(today.year), years=years
            )
        except Exception:
            logger.exception("Anniversary email to customer %s not sent", customer.pk)
    return sent


def opt_out(customer: Customer) -> EmailOptOut:
    """Unsubscribe the customer from every survey and automated email (idempotent)."""
    return EmailOptOut.objects.get_or_create(customer=customer)[0]

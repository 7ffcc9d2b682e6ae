from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from careloop.conversations.models import Customer, Status
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.feedback.emails import fill_placeholders, unsubscribe_url
from careloop.feedback.models import EmailOptOut, EmailRule
from careloop.feedback.services import milestones
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import solved_conversation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def welcome_emails() -> list[Any]:
    return [email for email in mail.outbox if email.subject.startswith("Welcome to")]


def test_the_first_solved_conversation_sends_one_welcome_note(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    milestones.seed_default_rules()
    customer = CustomerFactory(full_name="Mira Holm")
    for _ in range(2):
        message = receive_customer_message(customer, channel="email", body_text="Hello")
        with django_capture_on_commit_callbacks(execute=True):
            change_status(message.conversation, Status.SOLVED, actor=None)
    [welcome] = welcome_emails()
    assert welcome.to == [customer.email]
    assert welcome.body.startswith("Hi Mira,")
    assert unsubscribe_url(customer) in welcome.body


def test_a_disabled_rule_sends_nothing() -> None:
    milestones.seed_default_rules()
    EmailRule.objects.update(enabled=False)
    milestones.on_conversation_solved(solved_conversation())
    assert mail.outbox == []


def test_placeholders_are_plain_substitution_without_template_injection() -> None:
    values = {"customer_first_name": "Ana"}
    template = "Hi {customer_first_name} {{ settings.SECRET_KEY }} {customer.__class__} {unknown}"
    assert fill_placeholders(template, values) == (
        "Hi Ana {{ settings.SECRET_KEY }} {customer.__class__} {unknown}"
    )


def test_edited_templates_are_used_and_survive_reseeding() -> None:
    milestones.seed_default_rules()
    rule = EmailRule.objects.get(trigger="first_solved")
    milestones.update_rule(
        rule,
        by=UserFactory(),
        subject="Hello {customer_name} from {organisation}",
        body="{% debug %} Dear {customer_first_name}",
        enabled=True,
    )
    milestones.seed_default_rules()
    customer = CustomerFactory(full_name="Ola Nordmann")
    milestones.on_conversation_solved(solved_conversation(customer=customer))
    [email] = mail.outbox
    assert email.subject == "Hello Ola Nordmann from Our organisation"
    assert email.body.startswith("{% debug %} Dear Ola")
    assert "/unsubscribe/" in email.body  # added when the template leaves it out


def test_anniversaries_go_once_a_year() -> None:
    milestones.seed_default_rules()
    today = timezone.localdate()
    # Mid-June two years back: no 29 February, whatever today is.
    joined = datetime.combine(date(today.year - 2, 6, 15), time(12), tzinfo=UTC)
    customer = CustomerFactory(full_name="Jo Lee")
    Customer.objects.filter(pk=customer.pk).update(created_at=joined)
    day = date(today.year, 6, 15)
    assert milestones.send_anniversaries(day) == 1
    assert milestones.send_anniversaries(day) == 0
    assert mail.outbox[0].subject.endswith("year(s) together, Jo")
    assert milestones.send_anniversaries(date(day.year + 1, day.month, day.day)) == 1


def test_the_unsubscribe_link_asks_then_stops_every_email(client: Client) -> None:
    milestones.seed_default_rules()
    customer = CustomerFactory()
    url = unsubscribe_url(customer)
    path = url.split("8000", 1)[1] if "8000" in url else url
    assert client.get(path).status_code == 200
    assert not EmailOptOut.objects.exists()  # a link scanner's GET changes nothing
    assert client.post(path).status_code == 200
    assert EmailOptOut.objects.filter(customer=customer).exists()
    milestones.on_conversation_solved(solved_conversation(customer=customer))
    assert mail.outbox == []
    assert client.get(path.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404

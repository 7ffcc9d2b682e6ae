"""GDPR export and erasure of a customer, retention purges, and personal data kept out of logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import (
    Attachment,
    Channel,
    ContactPoint,
    Conversation,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.core.audit import audit_events_for, audit_log, record_audit
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.core.privacy import (
    erase_customer,
    export_customer_data,
    purge_expired_data,
    set_retention_days,
)
from careloop.core.redaction import PersonalDataFilter
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def customer_with_history() -> tuple[Customer, Message]:
    customer = CustomerFactory(full_name="Noor Haddad", email="noor@example.test")
    ContactPoint.objects.create(customer=customer, kind="email", value="noor@example.test")
    message = receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="My card 4111 ends badly", subject="Refund"
    )
    message.emotions, message.distress = {"anger": 0.8}, 0.8
    message.save()
    Attachment.objects.create(
        message=message,
        file=ContentFile(b"receipt", name="r.txt"),
        filename="receipt.txt",
        content_type="text/plain",
        size=7,
    )
    InboundRecord.objects.create(
        channel=Channel.EMAIL, dedupe_key="<1@x>", raw=b"From: noor@example.test", message=message
    )
    return customer, message


def test_an_export_holds_the_profile_contacts_and_every_message() -> None:
    customer, _ = customer_with_history()
    leader = UserFactory(role=Role.CX_LEADER)
    data = export_customer_data(customer, leader)
    conversations = data["conversations"]
    assert conversations["profile"]["email"] == "noor@example.test"
    assert conversations["contact_points"] == [{"kind": "email", "value": "noor@example.test"}]
    [conversation] = conversations["conversations"]
    assert conversation["messages"][0]["text"] == "My card 4111 ends badly"
    assert conversation["messages"][0]["attachments"] == [{"filename": "receipt.txt", "size": 7}]
    json.dumps(data)  # JSON-ready throughout
    [event] = audit_events_for(customer)
    assert (event.action, event.actor) == ("customer.exported", leader)


def test_erasure_removes_what_identifies_and_keeps_the_numbers() -> None:
    customer, message = customer_with_history()
    stored_file = Attachment.objects.get().file
    erase_customer(customer, UserFactory(role=Role.ADMIN))

    customer.refresh_from_db()
    message.refresh_from_db()
    assert customer.erased_at is not None
    assert "Noor" not in customer.full_name and customer.email is None
    assert not ContactPoint.objects.filter(customer=customer).exists()
    assert message.body_text == "[erased]" and "4111" not in message.body_html
    assert not Attachment.objects.exists()
    assert not stored_file.storage.exists(stored_file.name)
    assert bytes(InboundRecord.objects.get().raw) == b""
    # What reports need is still there, without a name.
    assert Conversation.objects.filter(customer=customer).count() == 1
    assert message.distress == 0.8 and message.emotions == {"anger": 0.8}
    assert audit_events_for(customer).filter(action="customer.erased").exists()


def test_raw_input_and_old_finished_conversations_expire_but_recent_ones_stay() -> None:
    _, open_message = customer_with_history()
    InboundRecord.objects.update(
        state=InboundRecord.State.PROCESSED, received_at=timezone.now() - timedelta(days=91)
    )
    recent = receive_customer_message(CustomerFactory(), channel=Channel.API, body_text="Recent")
    InboundRecord.objects.create(
        channel=Channel.API, dedupe_key="api:1", raw=b"{}", message=recent, state="processed"
    )
    finished = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Old")
    change_status(finished.conversation, Status.SOLVED, actor=None)
    Conversation.objects.filter(pk=finished.conversation_id).update(
        updated_at=timezone.now() - timedelta(days=4 * 365)
    )

    counts = purge_expired_data()

    assert counts == {
        "api_idempotent_responses": 0,
        "audit_events": 0,
        "finished_conversation_text": 1,
        "organisation_exports": 0,
        "raw_inbound": 1,
        "read_notifications": 0,
        "webhook_deliveries": 0,
    }
    assert bytes(InboundRecord.objects.get(dedupe_key="<1@x>").raw) == b""
    assert bytes(InboundRecord.objects.get(dedupe_key="api:1").raw) == b"{}"
    assert Message.objects.get(pk=finished.pk).body_text == "[erased]"
    assert Message.objects.get(pk=open_message.pk).body_text == "My card 4111 ends badly"
    assert Message.objects.get(pk=recent.pk).body_text == "Recent"
    assert set(purge_expired_data().values()) == {0}, "a second run finds nothing more"
    assert audit_log(action_prefix="retention.purged").count() == 1


def test_an_admins_retention_period_replaces_the_default() -> None:
    record_audit(None, "old.thing")
    AuditEvent.objects.update(at=timezone.now() - timedelta(days=40))
    assert purge_expired_data()["audit_events"] == 0
    set_retention_days("audit_events", 30, UserFactory(role=Role.ADMIN))
    assert purge_expired_data()["audit_events"] == 1
    assert not AuditEvent.objects.filter(action="old.thing").exists()


def test_erasing_needs_the_typed_confirmation(client_as: Callable[[Role], Client]) -> None:
    customer, _ = customer_with_history()
    client = client_as(Role.CX_LEADER)
    url = reverse("conversations:customer-erase", args=[customer.pk])
    client.post(url, {"confirm": "yes"})
    assert Customer.objects.get(pk=customer.pk).erased_at is None
    client.post(url, {"confirm": "ERASE"})
    assert Customer.objects.get(pk=customer.pk).erased_at is not None


def test_the_export_downloads_as_json(client_as: Callable[[Role], Client]) -> None:
    customer, _ = customer_with_history()
    response = client_as(Role.ADMIN).get(
        reverse("conversations:customer-export", args=[customer.pk])
    )
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.json"'
    assert response.json()["conversations"]["profile"]["full_name"] == "Noor Haddad"


def test_admins_change_retention_periods_on_a_page(client_as: Callable[[Role], Client]) -> None:
    client = client_as(Role.ADMIN)
    page = client.get(reverse("core:retention"))
    assert b"Raw received emails and API requests" in page.content
    form = {"raw_inbound": "30", "finished_conversation_text": "1095", "audit_events": "730"}
    client.post(reverse("core:retention"), form)
    refused = client.post(reverse("core:retention"), {**form, "raw_inbound": "0"})
    assert refused.status_code == 302
    from careloop.core.models import RetentionRule

    assert list(RetentionRule.objects.values_list("data_type", "keep_days")) == [
        ("raw_inbound", 30)
    ]


def test_log_lines_carry_no_email_phone_or_card_number() -> None:
    record = logging.LogRecord(
        "careloop", logging.INFO, __file__, 1, "Mail from %s, phone %s, card %s", None, None
    )
    record.args = ("noor@example.test", "+44 20 7946 0958", "4111 1111 1111 1111")
    PersonalDataFilter().filter(record)
    line = record.getMessage()
    assert "noor@" not in line and "7946" not in line and "4111" not in line
    assert line == "Mail from [email], phone [phone], card [number]"


def test_survey_comments_are_exported_and_erased_but_scores_stay() -> None:
    from careloop.feedback.models import SurveyResponse
    from tests.feedback.factories import answered, solved_conversation

    customer = CustomerFactory(full_name="Noor Haddad", email="noor@example.test")
    answered(solved_conversation(customer=customer), csat=2, comment="Noor here, call 0612345678")
    data = export_customer_data(customer, None)
    assert data["feedback"]["survey_responses"][0]["comment"].startswith("Noor here")
    erase_customer(customer, None)
    response = SurveyResponse.objects.get(customer=customer)
    assert response.comment == "" and response.csat == 2


def test_erasure_reaches_named_concerns_raised_with_the_customers_email() -> None:
    """Finding 2: the conversations eraser blanked the email before feedback looked it up."""
    from careloop.feedback.services.concerns import follow_up_from_customer, raise_concern

    customer, _ = customer_with_history()
    concern, _ = raise_concern(
        category="other",
        body="Noor's complaint about the refund",
        anonymous=False,
        name="Noor Haddad",
        email="Noor@Example.test",
        notify=False,
    )
    follow_up_from_customer(concern, "Still waiting, Noor")

    erase_customer(customer, UserFactory(role=Role.ADMIN))

    concern.refresh_from_db()
    assert (concern.name, concern.email) == ("", "")
    assert "Noor" not in concern.body
    assert not concern.messages.filter(body__contains="Noor").exists()

"""Erasure leaves no trace: one customer's marker, planted everywhere, is found nowhere after.

The scan is generic (every text, JSON, binary and file column of every installed model, and
every file under MEDIA_ROOT), so a new model that copies customer data fails this test until
its domain registers an eraser, or the README documents it as an anonymous aggregate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from careloop.api.services import create_api_key
from careloop.care.models import Gesture, GestureKind, GestureStatus
from careloop.coaching.services.practice import draft_scenario_from_conversation
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
from careloop.conversations.services.merging import merge_customers
from careloop.conversations.services.replies import reply
from careloop.core import privacy
from careloop.core.audit import record_audit
from careloop.core.permissions import Role
from careloop.core.privacy import erase_customer
from careloop.feedback.models import (
    RecoveryContact,
    RecoveryTask,
    SurveyResponse,
    Theme,
    ThemeAssignment,
    ThemeSource,
)
from careloop.feedback.services.concerns import (
    follow_up_from_customer,
    raise_concern,
    reply_to_concern,
)
from careloop.people.models import User
from careloop.playbook.models import Article, ArticleVersion
from careloop.playbook.selectors import draft_from_conversation
from careloop.recognition.models import StoryOrigin, SuccessStory
from careloop.recognition.services import consent_to_story
from tests.feedback.factories import answered
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

MARKER = "zqxmarker"

# Columns that may still hold the marker after erasure: anonymous aggregates, documented in
# the README ("Customers' data rights"). A theme's name and keywords are words shared by
# several people's comments (names scrubbed first), never one customer's text.
ANONYMOUS_AGGREGATES = frozenset({"feedback.Theme.label", "feedback.Theme.keywords"})

TEXT_COLUMNS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.BinaryField,
    models.FileField,
)


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def columns_holding(marker: str) -> set[str]:
    """Every `app.Model.field` in which some row's value contains the marker (any case)."""
    found = set()
    for model in apps.get_models():
        columns = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_COLUMNS)]
        if not columns:
            continue
        rows = model._base_manager.values_list(*(column.attname for column in columns))
        for row in rows.iterator():
            for column, value in zip(columns, row, strict=True):
                if value is not None and marker in _as_text(value).lower():
                    found.add(f"{model._meta.label}.{column.name}")
    return found


def files_holding(root: Path, marker: str) -> set[str]:
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and (marker in path.name.lower() or marker.encode() in path.read_bytes().lower())
    }


def plant_the_marker_everywhere(agent: User, admin: User) -> Customer:
    """One customer whose every trace carries MARKER, made through the real flows."""
    customer = Customer.objects.create(
        full_name=f"Noor {MARKER.title()}",
        email=f"noor.{MARKER}@example.test",
        company=f"{MARKER} Ltd",
        notes=f"Prefers calls; {MARKER}",
    )
    for kind, value in (
        (ContactPoint.Kind.EMAIL, f"noor.{MARKER}@example.test"),
        (ContactPoint.Kind.CHAT, f"chat-{MARKER}"),
        (ContactPoint.Kind.EXTERNAL, f"shop-{MARKER}"),
        (ContactPoint.Kind.PHONE, f"+44 20 {MARKER}"),
    ):
        ContactPoint.objects.create(customer=customer, kind=kind, value=value)
    # An older record of the same person, merged into this one.
    older = Customer.objects.create(full_name=f"N. {MARKER}", notes=f"{MARKER} old notes")
    merge_customers(older, customer)

    # Conversations, messages, an attachment, a note, the raw email.
    first = receive_customer_message(
        customer,
        channel=Channel.EMAIL,
        body_text=f"My order for {MARKER} never came",
        body_html=f"<p>My order for {MARKER} never came</p>",
        subject=f"Order {MARKER}",
        email_message_id=f"<{MARKER}@mail.example>",
    )
    conversation = first.conversation
    Attachment.objects.create(
        message=first,
        file=ContentFile(f"receipt for {MARKER}".encode(), name="receipt.txt"),
        filename=f"receipt-{MARKER}.txt",
        content_type="text/plain",
        size=20,
    )
    InboundRecord.objects.create(
        channel=Channel.EMAIL,
        dedupe_key="<first@mail.example>",
        raw=f"From: noor.{MARKER}@example.test\n\nMy order".encode(),
        message=first,
        state=InboundRecord.State.PROCESSED,
    )
    # Input that was never filed: a flagged email naming the customer's address.
    InboundRecord.objects.create(
        channel=Channel.EMAIL,
        dedupe_key="<flagged@mail.example>",
        raw=f"From: NOOR.{MARKER.upper()}@example.test\n\nbroken".encode(),
        state=InboundRecord.State.FLAGGED,
        problem=f"No body in mail from noor.{MARKER}@example.test",
    )
    InboundRecord.objects.create(
        channel=Channel.CHAT,
        dedupe_key="chat:unfiled",
        raw=json.dumps({"visitor": f"chat-{MARKER}", "text": "hi"}).encode(),
        state=InboundRecord.State.FLAGGED,
    )
    reply(conversation, agent, f"Sorry about {MARKER}, a refund is on its way.")
    reply(conversation, agent, f"Note: {MARKER} is a VIP", internal=True)
    change_status(conversation, Status.SOLVED, actor=agent)

    # The API: a conversation opened by an integration, and its stored answer.
    _, secret = create_api_key(
        name="Shop", owner=agent, scopes=["conversations:write"], created_by=agent
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    opened = api.post(
        reverse("api:conversations"),
        {
            "customer": {"external_id": f"shop-{MARKER}", "name": f"Noor {MARKER}"},
            "subject": f"API {MARKER}",
            "body": f"Through the shop: {MARKER}",
        },
        format="json",
        headers={"Idempotency-Key": "open-1"},
    )
    assert opened.status_code == 201, opened.content

    # Feedback: a survey comment, a recovery task, a named concern, theme examples.
    response = answered(conversation, csat=1, comment=f"Terrible, {MARKER}", days_ago=0)
    SurveyResponse.objects.filter(pk=response.pk).update(
        answers=[{"question": "What could we do better?", "answer": f"Ask {MARKER}"}]
    )
    task = RecoveryTask.objects.get(response=response)  # a detractor's answer opens one
    RecoveryTask.objects.filter(pk=task.pk).update(outcome_note=f"Called {MARKER}")
    RecoveryContact.objects.create(task=task, by=agent, channel="phone", note=f"Spoke to {MARKER}")
    record_audit(agent, "recovery.closed", task, summary=f"Recovered: {customer}")
    concern, _ = raise_concern(
        category="other",
        body=f"My complaint, {MARKER}",
        anonymous=False,
        name=f"Noor {MARKER}",
        email=f"Noor.{MARKER}@Example.test",
        notify=False,
    )
    follow_up_from_customer(concern, f"Still waiting, {MARKER}")
    reply_to_concern(concern, admin, f"Dear Noor {MARKER}, we are on it")
    theme = Theme.objects.create(
        label=f"Late orders {MARKER}", keywords=["late", MARKER], centroid=b"\x00" * 4
    )
    for source, source_id in (
        (ThemeSource.COMMENT, response.pk),
        (ThemeSource.CONCERN, concern.pk),
    ):
        ThemeAssignment.objects.create(
            theme=theme,
            source=source,
            source_id=source_id,
            text=f"Terrible, {MARKER}",
            occurred_on=timezone.localdate(),
        )

    # Goodwill, a success story (shared, so its title is in the audit trail).
    Gesture.objects.create(
        kind=GestureKind.REFUND,
        amount=10,
        currency="EUR",
        reason=f"Lost parcel for {MARKER}",
        customer=customer,
        conversation=conversation,
        agent=agent,
        status=GestureStatus.GRANTED,
        decision_reason=f"Fine for {MARKER}",
        execution_detail=f"Refunded to {MARKER}",
    )
    story = SuccessStory.objects.create(
        agent=agent,
        conversation=conversation,
        evidence_message=first,
        customer_words=f"Thank you, {MARKER}!",
        source_label="Customer message",
        source_key=f"message:{first.pk}",
        origin=StoryOrigin.CUSTOMER_PRAISE,
        title=f"A customer thanked {agent.first_name}: Order {MARKER}",
        note=f"{MARKER} was delighted",
    )
    consent_to_story(story, by=agent)

    # Practice and playbook material drafted from the conversation: anonymised when drafted
    # (the marker is part of the customer's name, so it must be scrubbed from the words).
    draft_scenario_from_conversation(conversation, by=admin)
    draft = draft_from_conversation(conversation)
    article = Article.objects.create(
        title="When a parcel never arrives",
        slug="parcel-never-arrives",
        body=draft.body,
        owner=agent,
        review_by=timezone.localdate(),
        source_conversation=conversation,
    )
    ArticleVersion.objects.create(
        article=article, number=1, title=article.title, body=draft.body, edited_by=agent
    )

    # The admin site and the audit trail.
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message="[]",
    )
    record_audit(admin, "customer.note", customer, summary=f"Called {customer.full_name}")
    return customer


@pytest.mark.parametrize("order", ["as registered", "reversed"])
def test_erasing_everywhere_leaves_the_customers_marker_nowhere(
    order: str, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path
    if order == "reversed":
        # Every eraser must find its rows whichever ran before it (finding 2).
        sources = dict(reversed(privacy._customer_sources.items()))
        monkeypatch.setattr(privacy, "_customer_sources", sources)
    agent = UserFactory(role=Role.AGENT, full_name="Sam Agent")
    admin = UserFactory(role=Role.ADMIN)
    customer = plant_the_marker_everywhere(agent, admin)
    planted = columns_holding(MARKER)
    assert len(planted) >= 30, f"the marker was planted too narrowly: {sorted(planted)}"
    assert files_holding(tmp_path, MARKER)

    erase_customer(customer, admin)

    left = columns_holding(MARKER)
    assert left <= ANONYMOUS_AGGREGATES, sorted(left - ANONYMOUS_AGGREGATES)
    assert not files_holding(tmp_path, MARKER)
    # The numbers stay: the conversations, the score, the gesture's amount, the story.
    assert Conversation.objects.filter(customer=customer).count() == 2
    assert Message.objects.filter(conversation__customer=customer).count() == 4
    assert Gesture.objects.get().amount == 10
    assert SuccessStory.objects.get().agent == agent

"""Many customer messages in one request: `POST /api/v1/conversations/batch/`.

The batch runs once per Idempotency-Key like every write (its raw body is kept before
anything else, see `idempotency.run_once`), and each item also has its own key, in the same
namespace as single requests: an item retried in a later batch, or sent alone first, is
answered from its first result and stored once. Items are written together: customers,
conversations, messages and events each in one or two statements for the whole batch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.idempotency import Outcome, as_json, kept_since, run_once
from careloop.api.models import ApiIdempotentResponse, ApiKey
from careloop.api.scopes import Scope
from careloop.api.serializers import BatchResultsSerializer, BatchSerializer
from careloop.conversations.models import Channel, Conversation, InboundRecord, Message, Priority
from careloop.conversations.services import conversations as conversation_services
from careloop.conversations.services import customers as customer_services
from careloop.core.permissions import Action
from careloop.people.models import User

NEW_CONVERSATION_ONLY = ("subject", "priority", "tags")


@dataclass
class Item:
    """One item on its way through the batch: its key, its claim, and its answer."""

    index: int
    key: str
    data: dict[str, Any]
    fingerprint: str
    stored: ApiIdempotentResponse | None = None
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    message: Message | None = None

    def answer(
        self, status_code: int, body: dict[str, Any], message: Message | None = None
    ) -> None:
        self.status, self.body, self.message = status_code, body, message

    def result(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.key,
            "status": self.status,
            "replayed": self.replayed,
            **self.body,
        }


def _fingerprint(path: str, data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"POST {path} {canonical}".encode()).hexdigest()


def _opens_a_conversation(data: dict[str, Any]) -> bool:
    """An item naming a customer (the person writing in, not a role) opens a conversation."""
    return any(key == "customer" for key in data)


def _problem(item: Item) -> dict[str, Any] | None:
    """What keeps a well-formed item from being stored (rules the schema cannot state)."""
    data = item.data
    if _opens_a_conversation(data) == ("conversation" in data):
        return {"non_field_errors": ["Give `customer` (a new conversation) or `conversation`."]}
    if "conversation" in data:
        extra = [name for name in NEW_CONVERSATION_ONLY if name in data]
        if extra:
            return {name: ["Only an item opening a conversation takes this."] for name in extra}
    return None


def _claim(api_key: ApiKey, items: list[Item], path: str) -> None:
    """Keep each item under its key (unless an earlier request did) and lock the keys' rows,
    so a concurrent request with one of these keys waits for this batch's answer."""
    by_dedupe = {f"api:{api_key.pk}:{item.key}": item for item in items}
    InboundRecord.objects.bulk_create(
        [
            InboundRecord(
                channel=Channel.API,
                dedupe_key=dedupe_key,
                raw=json.dumps(item.data, ensure_ascii=False).encode(),
            )
            for dedupe_key, item in by_dedupe.items()
        ],
        ignore_conflicts=True,
    )
    unanswered = InboundRecord.objects.filter(
        dedupe_key__in=by_dedupe, api_response__isnull=True
    ).values_list("pk", "dedupe_key")
    ApiIdempotentResponse.objects.bulk_create(
        [
            ApiIdempotentResponse(
                record_id=record_id,
                api_key=api_key,
                idempotency_key=by_dedupe[dedupe_key].key,
                method="POST",
                path=path[:500],
                request_sha256=by_dedupe[dedupe_key].fingerprint,
            )
            for record_id, dedupe_key in unanswered
        ],
        ignore_conflicts=True,
    )
    locked = (
        ApiIdempotentResponse.objects.select_for_update()
        .select_related("record")
        .filter(record__dedupe_key__in=by_dedupe)
        .order_by("pk")
    )
    for stored in locked:
        by_dedupe[stored.record.dedupe_key].stored = stored


def _judge(item: Item) -> bool:
    """Answer an item its key already settles (a replay, or a 422); True when it must run."""
    stored = item.stored
    assert stored is not None
    if stored.request_sha256 != item.fingerprint:
        item.answer(422, {"errors": {"idempotency_key": ["Already used for a different request."]}})
    elif stored.record.received_at < kept_since(timezone.now()):
        item.answer(422, {"errors": {"idempotency_key": ["Its answer is no longer kept."]}})
    elif stored.is_complete:
        item.replayed = True
        item.answer(status.HTTP_200_OK, dict(stored.body or {}))
    else:
        return True
    return False


def _open(items: list[Item], owner: User) -> None:
    """Open a conversation for each item, all in one pass."""
    references = [
        customer_services.CustomerReference(
            email=item.data["customer"].get("email", ""),
            external_id=item.data["customer"].get("external_id", ""),
            full_name=item.data["customer"].get("name", ""),
        )
        for item in items
    ]
    customers = customer_services.customers_named_by(references)
    openings = [
        conversation_services.Opening(
            customer,
            item.data["body"],
            subject=item.data.get("subject", ""),
            priority=Priority(item.data["priority"]) if item.data.get("priority") else None,
            tags=item.data.get("tags") or (),
            new_customer=new_customer,
        )
        for item, (customer, new_customer) in zip(items, customers, strict=True)
    ]
    messages = conversation_services.open_conversations(openings, channel=Channel.API, actor=owner)
    for item, message in zip(items, messages, strict=True):
        item.answer(
            status.HTTP_201_CREATED,
            {"conversation": message.conversation_id, "message": message.pk},
            message,
        )


def _continue(items: list[Item]) -> None:
    """Add each item's message to its conversation, in the order sent."""
    conversations = Conversation.objects.select_related("customer", "assignee").in_bulk(
        {item.data["conversation"] for item in items}
    )
    for item in items:
        conversation = conversations.get(item.data["conversation"])
        if conversation is None:
            item.answer(422, {"errors": {"conversation": ["No conversation has this id."]}})
            continue
        message = conversation_services.receive_customer_message(
            conversation.customer,
            channel=Channel.API,
            body_text=item.data["body"],
            conversation=conversation,
        )
        item.answer(
            status.HTTP_201_CREATED,
            {"conversation": message.conversation_id, "message": message.pk},
            message,
        )


def _store_answers(items: list[Item]) -> None:
    now = timezone.now()
    records, responses = [], []
    for item in items:
        stored = item.stored
        assert stored is not None
        record = stored.record
        if item.status == status.HTTP_201_CREATED:
            record.state, record.message = InboundRecord.State.PROCESSED, item.message
        else:
            record.state = InboundRecord.State.FLAGGED
            record.problem = f"Rejected with {item.status}: {json.dumps(as_json(item.body))}"
        stored.status_code, stored.body, stored.completed_at = item.status, item.body, now
        records.append(record)
        responses.append(stored)
    InboundRecord.objects.bulk_update(records, ["state", "problem", "message"])
    ApiIdempotentResponse.objects.bulk_update(responses, ["status_code", "body", "completed_at"])


def process_batch(items: list[Item], api_key: ApiKey, owner: User, path: str) -> None:
    """Settle every item: replay or refuse what its key decides, store the rest together."""
    first: dict[str, Item] = {}
    repeats = []
    for item in items:
        if item.key in first:
            repeats.append(item)
        else:
            first[item.key] = item
    unique = list(first.values())
    _claim(api_key, unique, path)
    to_run = [item for item in unique if _judge(item)]
    for item in to_run:
        problem = _problem(item)
        if problem is not None:
            item.answer(422, {"errors": problem})
    runnable = [item for item in to_run if not item.status]
    _open([item for item in runnable if _opens_a_conversation(item.data)], owner)
    _continue([item for item in runnable if "conversation" in item.data])
    _store_answers(to_run)
    for item in repeats:  # a key twice in one batch: as if the second came after the first
        earlier = first[item.key]
        if earlier.fingerprint != item.fingerprint:
            item.answer(422, {"errors": {"idempotency_key": ["Already used in this batch."]}})
        else:
            item.replayed = True
            item.answer(
                status.HTTP_200_OK if earlier.status == 201 else earlier.status, earlier.body
            )


class ConversationsBatchView(ApiView):
    """Up to 100 customer messages in one request, each with its own result."""

    required_action = Action.USE_INBOX
    required_scopes = {"POST": Scope.CONVERSATIONS_WRITE}

    @extend_schema(
        operation_id="conversations_batch_create",
        summary="Store up to 100 customer messages at once",
        description="Each item opens a conversation (`customer`, as a single create does) or "
        "adds what the customer wrote to an existing one (`conversation`), and carries its own "
        "`idempotency_key`. The answer lists a result per item, in order: 201 stored now, 200 "
        "stored earlier under that key (`replayed`), 422 not stored (`errors`). A malformed "
        "batch is refused whole with 400, its errors by item index.",
        tags=["conversations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=BatchSerializer,
        examples=[
            OpenApiExample(
                "A new conversation and a message in an existing one",
                request_only=True,
                value={
                    "messages": [
                        {
                            "idempotency_key": "shop-order-1042-1",
                            "customer": {"email": "ana@example.com", "name": "Ana"},
                            "subject": "Order 1042",
                            "body": "My order has not arrived.",
                        },
                        {
                            "idempotency_key": "shop-ticket-77-3",
                            "conversation": 77,
                            "body": "Any news?",
                        },
                    ]
                },
            )
        ],
        responses={
            200: BatchResultsSerializer,
            **WRITE_ERRORS,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Missing Idempotency-Key, bad JSON, or a malformed batch (errors "
                "by item index). The request is kept for review.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._store(request))

    def _store(self, request: Request) -> Outcome:
        form = BatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        items = [
            Item(index, data["idempotency_key"], data, _fingerprint(request.path, data))
            for index, data in enumerate(form.validated_data["messages"])
        ]
        process_batch(items, self.api_key(), self.owner(), request.path)
        return Outcome(status.HTTP_200_OK, {"results": [item.result() for item in items]})

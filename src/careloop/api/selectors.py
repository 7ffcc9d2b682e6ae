"""Reads for the API: what a caller may list and see."""

from __future__ import annotations

from django.db.models import F, QuerySet

from careloop.api.models import ApiKey
from careloop.conversations.models import Conversation, Customer, Message, Status
from careloop.conversations.selectors import readable_messages
from careloop.core.permissions import Principal


def conversations_for_api(
    *, status: Status | None = None, customer_email: str = ""
) -> QuerySet[Conversation]:
    """Newest first, in a stable order so pages never skip or repeat a conversation."""
    conversations = (
        Conversation.objects.select_related("customer", "assignee")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")
    )
    if status is not None:
        conversations = conversations.filter(status=status)
    if customer_email:
        conversations = conversations.filter(customer__email=customer_email.strip().lower())
    return conversations


def conversation_for_api(conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("customer", "assignee")
        .prefetch_related("tags")
        .filter(pk=conversation_id)
        .first()
    )


def messages_visible_to(principal: Principal, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages; its internal notes only where the principal may read them."""
    return (
        readable_messages(principal, conversation.messages.all())
        .select_related("author", "author__team", "conversation__customer")
        .order_by("created_at", "pk")
    )


def customer_for_api(customer_id: int) -> Customer | None:
    return Customer.objects.prefetch_related("contact_points").filter(pk=customer_id).first()


def conversation_ids_of(customer: Customer) -> list[int]:
    return list(customer.conversations.order_by("created_at", "pk").values_list("pk", flat=True))


def api_keys() -> QuerySet[ApiKey]:
    """Every key, working ones first, newest first within each."""
    return ApiKey.objects.select_related("owner", "created_by").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-pk"
    )

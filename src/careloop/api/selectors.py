"""Reads for the API: what a caller may list and see."""

from __future__ import annotations

from django.db.models import QuerySet

from careloop.conversations.models import Conversation, Customer, Message, Status
from careloop.core.permissions import Action, Principal, can


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
    """A conversation's messages; internal notes only for those who may use the inbox."""
    messages = conversation.messages.select_related("author", "conversation__customer").order_by(
        "created_at", "pk"
    )
    if not can(principal, Action.USE_INBOX):
        messages = messages.filter(is_internal_note=False)
    return messages


def customer_for_api(customer_id: int) -> Customer | None:
    return Customer.objects.prefetch_related("contact_points").filter(pk=customer_id).first()


def conversation_ids_of(customer: Customer) -> list[int]:
    return list(customer.conversations.order_by("created_at", "pk").values_list("pk", flat=True))

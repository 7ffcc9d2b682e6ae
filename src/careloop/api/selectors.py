"""Reads for the API: what a caller may list and see."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from careloop.api.models import ApiKey
from careloop.conversations.models import Conversation, Customer, Message, Status
from careloop.conversations.selectors import InboxView, inbox_for, readable_messages
from careloop.core.permissions import Action, Principal, restrict
from careloop.people.models import User


def conversations_for_api(
    principal: User,
    *,
    view: InboxView | None = None,
    status: Status | None = None,
    customer_email: str = "",
    tag: str = "",
    assignee_email: str = "",
) -> QuerySet[Conversation]:
    """The conversations `principal` may see, narrowed as the inbox's `view` does, newest
    first in a stable order so pages never skip or repeat a conversation."""
    conversations = inbox_for(principal, view) if view is not None else Conversation.objects.all()
    conversations = restrict(conversations, principal, Action.USE_INBOX)
    if status is not None:
        conversations = conversations.filter(status=status)
    if customer_email:
        conversations = conversations.filter(customer__email=customer_email.strip().lower())
    if tag:
        conversations = conversations.filter(tags__name=tag)
    if assignee_email:
        conversations = conversations.filter(assignee__email__iexact=assignee_email.strip())
    return (
        conversations.select_related("customer", "assignee")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")
    )


def visible_conversation(principal: User, conversation_id: int) -> Conversation | None:
    """One conversation, if `principal` may see it."""
    return (
        restrict(Conversation.objects.all(), principal, Action.USE_INBOX)
        .select_related("customer", "assignee")
        .prefetch_related("tags")
        .filter(pk=conversation_id)
        .first()
    )


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


def customers_for_api(principal: User, query: str = "") -> QuerySet[Customer]:
    """The customers `principal` may see, not merged away; `query` matches name or email."""
    customers = restrict(Customer.objects.all(), principal, Action.VIEW_CUSTOMERS).filter(
        merged_into__isnull=True
    )
    query = query.strip()
    if query:
        customers = customers.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    return customers.prefetch_related("contact_points")


def customer_for_api(principal: User, customer_id: int, action: Action) -> Customer | None:
    """One customer (merged ones too, which point at their survivor), if `principal` may take
    `action` on them."""
    return (
        restrict(Customer.objects.all(), principal, action)
        .prefetch_related("contact_points")
        .filter(pk=customer_id)
        .first()
    )


def conversation_ids_of(customer: Customer) -> list[int]:
    return list(customer.conversations.order_by("created_at", "pk").values_list("pk", flat=True))


def api_keys() -> QuerySet[ApiKey]:
    """Every key, working ones first, newest first within each."""
    return ApiKey.objects.select_related("owner", "created_by").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-pk"
    )

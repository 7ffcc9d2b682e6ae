"""Merging duplicates: a customer into another, a conversation into another."""

from __future__ import annotations

from django.db import transaction

from careloop.conversations.models import (
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Status,
)
from careloop.conversations.services.figures import business_calendar, refresh_conversation
from careloop.conversations.services.timeline import _record
from careloop.people.models import User


@transaction.atomic
def merge_customers(source: Customer, target: Customer) -> Customer:
    """Move everything of `source` to `target`; `source` stays as a pointer for the audit trail."""
    if source.pk == target.pk:
        raise ValueError("A customer cannot be merged into itself.")
    Conversation.objects.filter(customer=source).update(customer=target)
    ContactPoint.objects.filter(customer=source).update(customer=target)
    if not target.notes and source.notes:
        target.notes = source.notes
    if target.email is None and source.email:
        email, source.email = source.email, None
        source.save(update_fields=["email"])
        target.email = email
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return target


@transaction.atomic
def merge_conversations(
    source: Conversation, target: Conversation, actor: User | None
) -> Conversation:
    """Fold `source` into `target`: its messages move, and it closes pointing at `target`."""
    if source.pk == target.pk:
        raise ValueError("A conversation cannot be merged into itself.")
    if source.customer_id != target.customer_id:
        merge_customers(source.customer, target.customer)
    Message.objects.filter(conversation=source).update(conversation=target)
    target.tags.add(*source.tags.all())
    if source.waiting_since and (
        target.waiting_since is None or source.waiting_since < target.waiting_since
    ):
        target.waiting_since = source.waiting_since
        if target.status not in (Status.OPEN, Status.ON_HOLD):
            target.status = Status.OPEN
        target.save()
    source.merged_into = target
    source.status = Status.CLOSED
    source.waiting_since = None
    source.care_priority = 0
    source.save()
    _record(source, ConversationEvent.Kind.MERGED, actor, into=target.pk)
    _record(target, ConversationEvent.Kind.MERGED, actor, absorbed=source.pk)
    refresh_conversation(target, business_calendar())
    return target

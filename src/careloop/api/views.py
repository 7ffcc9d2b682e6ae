"""The conversation endpoints: parse, call the conversations services, answer. Every write is
idempotent."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api import selectors
from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.serializers import (
    ConversationCreateSerializer,
    ConversationDetailSerializer,
    ConversationFilterSerializer,
    ConversationSerializer,
    MessageCreateSerializer,
    MessageSerializer,
)
from careloop.conversations.models import Channel, Conversation, Message, Priority
from careloop.conversations.selectors import InboxView
from careloop.conversations.services import conversations as conversation_services
from careloop.conversations.services import customers, replies, tags
from careloop.core.permissions import Action
from careloop.people.models import User


def _conversation_or_404(conversation_id: int) -> Conversation:
    return found(selectors.conversation_for_api(conversation_id), "conversation")


class ConversationsView(ApiView):
    """Conversations as the inbox filters them, newest first; a POST opens one with the
    customer's first message."""

    required_action = Action.USE_INBOX
    required_scopes = {"GET": Scope.CONVERSATIONS_READ, "POST": Scope.CONVERSATIONS_WRITE}
    pagination_class = CursorPages
    cursor_ordering = ("-created_at", "-id")

    @extend_schema(
        operation_id="conversations_list",
        description="The conversations the key's owner may see, newest first, narrowed by "
        "the inbox's views (`view`: waiting on us, mine, my team, unassigned, on hold, all "
        "open; each leaves out finished and merged conversations) and by status, tag, "
        "assignee or customer email. Without `view`, every status.",
        tags=["conversations"],
        parameters=[ConversationFilterSerializer],
        responses={
            200: ConversationSerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        filters = ConversationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        conversations = selectors.conversations_for_api(
            self.owner(),
            view=InboxView(data["view"]) if data.get("view") else None,
            status=data.get("status") or None,
            customer_email=data.get("customer_email", ""),
            tag=data.get("tag", ""),
            assignee_email=data.get("assignee_email", ""),
        )
        paginator = CursorPages()
        page = paginator.paginate_queryset(conversations, request, view=self)
        body = ConversationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(body)

    @extend_schema(
        operation_id="conversations_create",
        summary="Open a conversation with the customer's first message",
        description="Finds the customer by email or external id (creating them on first "
        "contact) and opens a new conversation waiting on the team.",
        tags=["conversations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ConversationCreateSerializer,
        responses={201: ConversationDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._open(request))

    def _open(self, request: Request) -> Outcome:
        form = ConversationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        message = open_from_api(data, self.owner())
        tag_names = tags.tag_slugs(data.get("tags") or ())
        body = created_conversation(message, tag_names, request)
        return Outcome(status.HTTP_201_CREATED, body, message)


def open_from_api(data: dict[str, Any], owner: User) -> Message:
    """Open the conversation a valid create request asks for, as the key's owner."""
    who = data["customer"]
    customer, new_customer = customers.customer_named_by(
        email=who.get("email", ""), external_id=who.get("external_id", ""), full_name=who["name"]
    )
    return conversation_services.open_conversation(
        customer,
        channel=Channel.API,
        body_text=data["body"],
        subject=data["subject"],
        priority=Priority(data["priority"]) if data.get("priority") else None,
        tags=data.get("tags") or (),
        actor=owner,
        new_customer=new_customer,
    )


def created_conversation(message: Message, tag_names: list[str], request: Request) -> Any:
    """The answer to a create: the new conversation as stored, told from what was written
    (its only message is the customer's, which everyone who may use the inbox reads)."""
    conversation = message.conversation
    context = {
        "request": request,
        "messages": {conversation.pk: [message]},
        "tag_names": {conversation.pk: tag_names},
    }
    return ConversationDetailSerializer(conversation, context=context).data


class ConversationView(ApiView):
    """One conversation with its messages."""

    required_action = Action.USE_INBOX
    required_scopes = {"GET": Scope.CONVERSATIONS_READ}
    audit_reads = True

    @extend_schema(
        operation_id="conversations_retrieve",
        description="One conversation with its messages, oldest first. Internal notes are "
        "included only where the key's owner may read them (their team's conversations, or "
        "every team's for leaders); a reply's `reply_score` only for its author and their lead.",
        tags=["conversations"],
        responses={200: ConversationDetailSerializer, 404: OpenApiResponse(description="None.")},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = found(
            selectors.visible_conversation(self.owner(), conversation_id), "conversation"
        )
        return Response(
            ConversationDetailSerializer(conversation, context={"request": request}).data
        )


class ConversationMessagesView(ApiView):
    """A new message in a conversation: the customer's, or a reply or note by the key's owner."""

    required_action = Action.USE_INBOX
    required_scopes = {"POST": Scope.CONVERSATIONS_WRITE}

    @extend_schema(
        operation_id="conversations_messages_create",
        summary="Add what the customer wrote, or send an agent's reply or note",
        description="A customer message to a closed conversation opens a new one; the "
        "answer's `conversation` says which. An agent's reply or note is always from the "
        "key's owner: an `agent_email` naming anyone else is refused with 403.",
        tags=["conversations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=MessageCreateSerializer,
        responses={
            201: MessageSerializer,
            404: OpenApiResponse(description="No conversation has this id."),
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._add(request, conversation_id))

    def _add(self, request: Request, conversation_id: int) -> Outcome:
        conversation = _conversation_or_404(conversation_id)
        form = MessageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["author"] == "agent":
            agent = self._replying_agent(data.get("agent_email"))
            message = replies.reply(conversation, agent, data["body"], internal=data["internal"])
        else:
            message = conversation_services.receive_customer_message(
                conversation.customer,
                channel=Channel.API,
                body_text=data["body"],
                conversation=conversation,
            )
        body = MessageSerializer(message, context={"request": request}).data
        return Outcome(status.HTTP_201_CREATED, body, message)

    def _replying_agent(self, email: str | None) -> User:
        """The key's owner: a key never speaks for another employee."""
        owner = self.owner()
        if email and email.strip().lower() != owner.email.lower():
            raise PermissionDenied(
                {
                    "agent_email": [
                        "An API key writes as its owner only; leave agent_email out or give "
                        "the owner's email."
                    ]
                }
            )
        return owner

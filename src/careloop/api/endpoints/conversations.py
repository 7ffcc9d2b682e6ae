"""What agents do to a conversation: assign it, tag it, change its status, add a note.

Listing, reading and opening conversations are in `careloop.api.views`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api import selectors
from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.scopes import Scope
from careloop.api.serializers import (
    MAX_BODY_LENGTH,
    MAX_TAGS,
    ConversationSerializer,
    MessageSerializer,
)
from careloop.api.service_errors import CONFLICT, Conflict
from careloop.api.strict_fields import StrictCharField, StrictChoiceField, StrictEmailField
from careloop.conversations.models import Conversation, Status
from careloop.conversations.services import assignment, conversations, replies, tags
from careloop.core.permissions import Action, can
from careloop.people.selectors import active_employees

NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No conversation has this id (or no assignee this email)."
)


class AssignmentSerializer(serializers.Serializer[dict[str, Any]]):
    assignee_email = StrictEmailField(
        allow_null=True,
        max_length=254,
        help_text="The employee to assign it to (they must work in the inbox); null unassigns.",
    )


class TagChangeSerializer(serializers.Serializer[dict[str, Any]]):
    add = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=60), required=False, max_length=MAX_TAGS
    )
    remove = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=60), required=False, max_length=MAX_TAGS
    )


class StatusChangeSerializer(serializers.Serializer[dict[str, Any]]):
    status = StrictChoiceField(choices=Status.choices)


class NoteCreateSerializer(serializers.Serializer[dict[str, Any]]):
    body = StrictCharField(min_length=1, max_length=MAX_BODY_LENGTH, help_text="Plain text.")


def _open_conversation(view: ApiView, conversation_id: int) -> Conversation:
    """The conversation, if the key's owner may see it and it was not merged away."""
    conversation = found(
        selectors.visible_conversation(view.owner(), conversation_id), "conversation"
    )
    if conversation.merged_into_id is not None:
        raise Conflict(f"This conversation was merged into {conversation.merged_into_id}.")
    return conversation


class ConversationActionView(ApiView):
    """A change to one conversation by the key's owner, answered with the conversation."""

    required_action = Action.USE_INBOX
    required_scopes = {"POST": Scope.CONVERSATIONS_WRITE}

    def post(self, request: Request, conversation_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._act(request, conversation_id))

    def _act(self, request: Request, conversation_id: int) -> Outcome:
        conversation = _open_conversation(self, conversation_id)
        self.change(conversation, request.data)
        conversation = _open_conversation(self, conversation_id)
        body = ConversationSerializer(conversation, context={"request": request}).data
        return Outcome(status.HTTP_200_OK, body)

    def change(self, conversation: Conversation, data: Any) -> None:
        raise NotImplementedError


def _action_schema(operation_id: str, summary: str, description: str, request: Any) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=["conversations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=request,
        responses={200: ConversationSerializer, 404: NOT_FOUND, 409: CONFLICT, **WRITE_ERRORS},
    )


class AssignView(ConversationActionView):
    @_action_schema(
        "conversations_assign",
        "Assign a conversation, or unassign it",
        "Assigning moves the conversation to the assignee's team, as in the inbox. An email "
        "of no active employee working the inbox is a 404.",
        AssignmentSerializer,
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return super().post(request, conversation_id)

    def change(self, conversation: Conversation, data: Any) -> None:
        form = AssignmentSerializer(data=data)
        form.is_valid(raise_exception=True)
        email = form.validated_data["assignee_email"]
        assignee = None
        if email is not None:
            assignee = active_employees().filter(email__iexact=email).first()
            if assignee is None or not can(assignee, Action.USE_INBOX):
                raise NotFound("No active employee working the inbox has this assignee_email.")
        if assignee != conversation.assignee:
            assignment.assign(conversation, assignee, self.owner())


class TagsView(ConversationActionView):
    @_action_schema(
        "conversations_tags",
        "Add and remove tags",
        "Tag names become slugs ('Late order' is `late-order`); other tags stay.",
        TagChangeSerializer,
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return super().post(request, conversation_id)

    def change(self, conversation: Conversation, data: Any) -> None:
        form = TagChangeSerializer(data=data)
        form.is_valid(raise_exception=True)
        tags.change_tags(
            conversation,
            add=form.validated_data.get("add", []),
            remove=form.validated_data.get("remove", []),
            actor=self.owner(),
        )


class StatusView(ConversationActionView):
    @_action_schema(
        "conversations_status",
        "Change a conversation's status",
        "Pending waits on the customer and on hold pauses the SLA clock, as in the inbox.",
        StatusChangeSerializer,
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return super().post(request, conversation_id)

    def change(self, conversation: Conversation, data: Any) -> None:
        form = StatusChangeSerializer(data=data)
        form.is_valid(raise_exception=True)
        conversations.change_status(
            conversation, Status(form.validated_data["status"]), self.owner()
        )


class NotesView(ApiView):
    """An internal note by the key's owner: the customer never sees it."""

    required_action = Action.USE_INBOX
    required_scopes = {"POST": Scope.CONVERSATIONS_WRITE}

    @extend_schema(
        operation_id="conversations_notes_create",
        summary="Add an internal note",
        description="A note from the key's owner, for colleagues only; it belongs to the team "
        "the conversation is with now, and @-mentioned colleagues are told.",
        tags=["conversations"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=NoteCreateSerializer,
        responses={201: MessageSerializer, 404: NOT_FOUND, 409: CONFLICT, **WRITE_ERRORS},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._note(request, conversation_id))

    def _note(self, request: Request, conversation_id: int) -> Outcome:
        conversation = _open_conversation(self, conversation_id)
        form = NoteCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        note = replies.reply(conversation, self.owner(), form.validated_data["body"], internal=True)
        body = MessageSerializer(note, context={"request": request}).data
        return Outcome(status.HTTP_201_CREATED, body, note)

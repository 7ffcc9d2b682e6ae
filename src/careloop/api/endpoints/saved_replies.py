"""Saved replies: everyone in the inbox reads them; those who shape the inbox write them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.strict_fields import StrictCharField, StrictIntegerField
from careloop.conversations.inbox_settings import save_saved_reply
from careloop.conversations.models import SavedReply
from careloop.core.permissions import Action, may, restrict
from careloop.people.models import Team, User

NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No saved reply has this id (or no team the id given)."
)
MAX_ROW_ID = 10**18 - 1


class SavedReplySerializer(serializers.ModelSerializer[SavedReply]):
    team = serializers.IntegerField(source="team_id", allow_null=True, read_only=True)

    class Meta:
        model = SavedReply
        fields = ("id", "title", "body", "team", "created_at")
        read_only_fields = fields


class SavedReplyWriteSerializer(serializers.Serializer[dict[str, Any]]):
    title = StrictCharField(min_length=1, max_length=120)
    body = StrictCharField(
        min_length=1,
        max_length=20_000,
        help_text="Placeholders such as {{ customer.first_name }} are filled when used.",
    )
    team = StrictIntegerField(
        min_value=1,
        max_value=MAX_ROW_ID,
        allow_null=True,
        required=False,
        help_text="The team whose reply it is; null or left out: every team's.",
    )

    def validate_team(self, team_id: int | None) -> Team | None:
        if team_id is None:
            return None
        return found(Team.objects.filter(pk=team_id).first(), "team")


def _saved_replies(owner: User, action: Action) -> QuerySet[SavedReply]:
    return restrict(SavedReply.objects.all(), owner, action)


def _require_team_reach(owner: User, team: Team | None) -> None:
    """A saved reply is written only for a team (or for all) the owner may manage."""
    if not may(owner, Action.MANAGE_INBOX, SavedReply(team=team)):
        raise PermissionDenied("This key's owner may not write saved replies for this team.")


class SavedRepliesView(ApiView):
    required_action = Action.USE_INBOX
    method_actions = {"POST": Action.MANAGE_INBOX}
    required_scopes = {"GET": Scope.SAVED_REPLIES_READ, "POST": Scope.SAVED_REPLIES_WRITE}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)

    @extend_schema(
        operation_id="saved_replies_list",
        description="Saved replies, newest first.",
        tags=["saved-replies"],
        responses={
            200: SavedReplySerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPages()
        page = paginator.paginate_queryset(
            _saved_replies(self.owner(), Action.USE_INBOX), request, view=self
        )
        return paginator.get_paginated_response(SavedReplySerializer(page, many=True).data)

    @extend_schema(
        operation_id="saved_replies_create",
        summary="Add a saved reply",
        description="For those who set up the inbox (team leads, CX leaders, admins).",
        tags=["saved-replies"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=SavedReplyWriteSerializer,
        responses={201: SavedReplySerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._create(request))

    def _create(self, request: Request) -> Outcome:
        form = SavedReplyWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        _require_team_reach(self.owner(), data.get("team"))
        saved = save_saved_reply(
            None, title=data["title"], body=data["body"], team=data.get("team")
        )
        return Outcome(status.HTTP_201_CREATED, SavedReplySerializer(saved).data)


class SavedReplyView(ApiView):
    required_action = Action.USE_INBOX
    method_actions = {"PATCH": Action.MANAGE_INBOX}
    required_scopes = {"GET": Scope.SAVED_REPLIES_READ, "PATCH": Scope.SAVED_REPLIES_WRITE}

    @extend_schema(
        operation_id="saved_replies_retrieve",
        tags=["saved-replies"],
        responses={200: SavedReplySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, saved_reply_id: int) -> Response:
        saved = found(
            _saved_replies(self.owner(), Action.USE_INBOX).filter(pk=saved_reply_id).first(),
            "saved reply",
        )
        return Response(SavedReplySerializer(saved).data)

    @extend_schema(
        operation_id="saved_replies_partial_update",
        summary="Edit a saved reply",
        description="Changes only the fields sent.",
        tags=["saved-replies"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=SavedReplyWriteSerializer(partial=True),
        responses={200: SavedReplySerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    )
    def patch(self, request: Request, saved_reply_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._edit(request, saved_reply_id))

    def _edit(self, request: Request, saved_reply_id: int) -> Outcome:
        saved = found(
            _saved_replies(self.owner(), Action.MANAGE_INBOX).filter(pk=saved_reply_id).first(),
            "saved reply",
        )
        form = SavedReplyWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        _require_team_reach(self.owner(), data.get("team", saved.team))
        saved = save_saved_reply(
            saved,
            title=data.get("title", saved.title),
            body=data.get("body", saved.body),
            team=data.get("team", saved.team),
        )
        return Outcome(status.HTTP_200_OK, SavedReplySerializer(saved).data)

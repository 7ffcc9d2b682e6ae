"""The idea box: every idea with its answer, new ideas, and answers from those who give them.

Every employee reads every idea, as on the pages. An anonymous idea shows no author, and the
API sends only named ideas: each API write is kept with the key, and so the person, that sent
it, which an anonymous idea must never be.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied as DomainPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import ONE_ROW_ERRORS, cursor_page, found, name_of
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.strict_fields import StrictBooleanField, StrictCharField, StrictChoiceField
from careloop.core.permissions import Action, restrict_shared
from careloop.people.models import Team
from careloop.pulse.models import Idea, IdeaStatus
from careloop.pulse.selectors import ideas as selectors
from careloop.pulse.services import ideas as services

LARGEST_ID = 2**63 - 1
TEAM_NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No team has this id.")


class IdeaSerializer(serializers.ModelSerializer[Idea]):
    team = serializers.SerializerMethodField(help_text="The team the idea is about, if any.")
    author = serializers.SerializerMethodField(help_text="Null for an anonymous idea.")
    anonymous = serializers.BooleanField(source="is_anonymous")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = (
            "id",
            "title",
            "body",
            "team",
            "author",
            "anonymous",
            "submitted_on",
            "respond_by",
            "status",
            "response",
            "responded_on",
            "overdue",
        )
        read_only_fields = fields

    def get_team(self, idea: Idea) -> str | None:
        return name_of(idea.team)

    def get_author(self, idea: Idea) -> str | None:
        return None if idea.is_anonymous else name_of(idea.author)

    def get_overdue(self, idea: Idea) -> bool:
        return idea.is_overdue()


class IdeaFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=IdeaStatus.choices, required=False, allow_blank=True, help_text="Any."
    )


@extend_schema_field({"type": "boolean", "enum": [False]})
class NeverAnonymous(StrictBooleanField):
    """Only `false`: a client asking for anonymity is told why not, never sent named quietly."""

    def to_internal_value(self, data: Any) -> bool:
        if super().to_internal_value(data):
            raise serializers.ValidationError(
                "The API sends named ideas only: an API write is kept with the key that sent "
                "it, and so with its owner. Send anonymous ideas from the idea page."
            )
        return False


class IdeaCreateSerializer(serializers.Serializer[Any]):
    title = StrictCharField(max_length=200)
    body = StrictCharField(max_length=20_000)
    team = serializers.IntegerField(
        min_value=1,
        max_value=LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of the team the idea is about; leave out for the whole organisation.",
    )
    anonymous = NeverAnonymous(default=False, help_text="Always false (see the description).")


class IdeaAnswerSerializer(serializers.Serializer[Any]):
    status = StrictChoiceField(
        choices=[(answer.value, answer.label) for answer in services.ANSWERS]
    )
    response = StrictCharField(
        max_length=20_000, help_text="Why, in words: even a reasoned 'not now' keeps trust."
    )
    add_action = StrictBooleanField(
        default=False, help_text="Adopted or trying it: add an action item owned by you."
    )


def _ideas_for(owner: Any) -> QuerySet[Idea]:
    return restrict_shared(selectors.ideas(), owner, Action.USE_PULSE)


class IdeasView(ApiView):
    """Every idea with its answer; a POST sends a named idea from the key's owner."""

    required_action = Action.USE_PULSE
    required_scopes = {"GET": Scope.IDEAS_READ, "POST": Scope.IDEAS_WRITE}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="ideas_list",
        description="Every idea, answered or not. Ideas have random ids, so their order says "
        "nothing about who sent them or when.",
        tags=["ideas"],
        parameters=[IdeaFilterSerializer],
        responses={200: IdeaSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = IdeaFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        ideas = _ideas_for(self.owner())
        if filters.validated_data.get("status"):
            ideas = ideas.filter(status=filters.validated_data["status"])
        return cursor_page(ideas, request, self, IdeaSerializer)

    @extend_schema(
        operation_id="ideas_create",
        summary="Send an idea, named by the key's owner",
        description="Answered within the organisation's set number of working days "
        "(`respond_by`). Anonymous ideas are sent from the idea page only: an API write is "
        "kept with the key, and so with the person, that sent it.",
        tags=["ideas"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=IdeaCreateSerializer,
        responses={201: IdeaSerializer, **WRITE_ERRORS, 404: TEAM_NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._send(request))

    def _send(self, request: Request) -> Outcome:
        form = IdeaCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        team = None
        if data["team"] is not None:
            team = found(Team.objects.filter(pk=data["team"]).first(), "team")
        try:
            idea, _ = services.submit_idea(
                title=data["title"], body=data["body"], team=team, author=self.owner()
            )
        except ValidationError as error:
            raise ApiValidationError({"body": error.messages}) from None
        return Outcome(status.HTTP_201_CREATED, IdeaSerializer(idea).data)


class IdeaView(ApiView):
    """One idea with its answer."""

    required_action = Action.USE_PULSE
    required_scopes = {"GET": Scope.IDEAS_READ}

    @extend_schema(
        operation_id="ideas_retrieve",
        tags=["ideas"],
        responses={200: IdeaSerializer, **ONE_ROW_ERRORS},
    )
    def get(self, request: Request, idea_id: UUID) -> Response:
        idea = found(_ideas_for(self.owner()).filter(pk=idea_id).first(), "idea")
        return Response(IdeaSerializer(idea).data)


class IdeaAnswerView(ApiView):
    """The answer to an idea: adopted, trying it, or not now, always with the reasons."""

    required_action = Action.ANSWER_IDEAS
    required_scopes = {"POST": Scope.IDEAS_WRITE}

    @extend_schema(
        operation_id="ideas_answer_create",
        summary="Answer an idea",
        description="Answered by the key's owner; a named idea's author is told. Answering "
        "again replaces the answer.",
        tags=["ideas"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=IdeaAnswerSerializer,
        responses={200: IdeaSerializer, **ONE_ROW_ERRORS, **WRITE_ERRORS},
    )
    def post(self, request: Request, idea_id: UUID) -> Response:
        return run_once(request, self.api_key(), lambda: self._answer(request, idea_id))

    def _answer(self, request: Request, idea_id: UUID) -> Outcome:
        idea = found(_ideas_for(self.owner()).filter(pk=idea_id).first(), "idea")
        form = IdeaAnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            idea = services.respond_to_idea(
                idea,
                by=self.owner(),
                status=data["status"],
                response=data["response"],
                add_action=data["add_action"],
            )
        except ValidationError as error:
            raise ApiValidationError({"response": error.messages}) from None
        except DomainPermissionDenied as refusal:
            raise PermissionDenied(str(refusal)) from None
        return Outcome(status.HTTP_200_OK, IdeaSerializer(idea).data)

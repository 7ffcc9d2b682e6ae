"""Kudos and success stories, as the recognition feed shows them to every employee.

A success story appears only once its agent agreed to share it; stories waiting for consent,
kept private or still drafts stay with the agent and whoever proposed them, on the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import cursor_page, found, name_of
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.strict_fields import StrictCharField, StrictEmailField
from careloop.core.permissions import Action, restrict_shared
from careloop.people.selectors import current_organisation, employees
from careloop.recognition import selectors, services
from careloop.recognition.models import Kudos, StoryStatus, SuccessStory


class KudosSerializer(serializers.ModelSerializer[Kudos]):
    giver = serializers.SerializerMethodField()
    receiver = serializers.SerializerMethodField()
    value = serializers.CharField(source="value_name", help_text="The value it was given for.")

    class Meta:
        model = Kudos
        fields = ("id", "giver", "receiver", "value", "message", "created_at")
        read_only_fields = fields

    def get_giver(self, kudos: Kudos) -> str | None:
        return name_of(kudos.giver)

    def get_receiver(self, kudos: Kudos) -> str | None:
        return name_of(kudos.receiver)


class KudosCreateSerializer(serializers.Serializer[Any]):
    receiver_email = StrictEmailField(max_length=254, help_text="A current colleague's email.")
    value = StrictCharField(
        max_length=80, help_text="The name of one of the organisation's values (any case)."
    )
    message = StrictCharField(
        max_length=services.MAX_KUDOS_LENGTH, help_text="What they did, and why it mattered."
    )


class StorySerializer(serializers.ModelSerializer[SuccessStory]):
    agent = serializers.SerializerMethodField()
    value = serializers.CharField(source="value.name", allow_null=True, read_only=True)

    class Meta:
        model = SuccessStory
        fields = (
            "id",
            "title",
            "agent",
            "note",
            "customer_words",
            "source_label",
            "value",
            "shared_at",
        )
        read_only_fields = fields

    def get_agent(self, story: SuccessStory) -> str | None:
        return name_of(story.agent)


class KudosView(ApiView):
    """Every kudos, newest first; a POST thanks a colleague from the key's owner."""

    required_action = Action.USE_RECOGNITION
    required_scopes = {"GET": Scope.RECOGNITION_READ, "POST": Scope.RECOGNITION_WRITE}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="kudos_list",
        description="Kudos between colleagues, newest first, as the recognition feed shows "
        "them. There are no counts per person: recognition is not a ranking.",
        tags=["recognition"],
        responses={200: KudosSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        kudos = restrict_shared(
            Kudos.objects.select_related("giver", "receiver"), self.owner(), Action.USE_RECOGNITION
        )
        return cursor_page(kudos, request, self, KudosSerializer)

    @extend_schema(
        operation_id="kudos_create",
        summary="Give kudos to a colleague",
        description="From the key's owner, for living one of the organisation's values.",
        tags=["recognition"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=KudosCreateSerializer,
        responses={
            201: KudosSerializer,
            **WRITE_ERRORS,
            404: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No current colleague has this email, or no value this name.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._give(request))

    def _give(self, request: Request) -> Outcome:
        form = KudosCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        receiver = employees().filter(is_active=True, email__iexact=data["receiver_email"])
        values = current_organisation().values.all()
        value = values.filter(name__iexact=data["value"].strip()).first()
        if value is None:
            names = ", ".join(values.values_list("name", flat=True)) or "none yet"
            raise NotFound({"value": [f"Name one of the organisation's values: {names}."]})
        try:
            kudos = services.give_kudos(
                giver=self.owner(),
                receiver=found(receiver.first(), "current colleague"),
                value=value,
                message=data["message"],
            )
        except ValidationError as error:
            raise ApiValidationError({"message": error.messages}) from None
        return Outcome(status.HTTP_201_CREATED, KudosSerializer(kudos).data)


class StoriesView(ApiView):
    """Success stories their agents agreed to share, newest first."""

    required_action = Action.USE_RECOGNITION
    required_scopes = {"GET": Scope.RECOGNITION_READ}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="stories_list",
        description="Only stories shared with the agent's consent, with the customer's own "
        "words. Stories waiting for consent or kept private are never listed.",
        tags=["recognition"],
        responses={200: StorySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        stories = (
            selectors.visible_stories(self.owner())
            .filter(status=StoryStatus.SHARED)
            .select_related("agent", "value")
        )
        return cursor_page(stories, request, self, StorySerializer)

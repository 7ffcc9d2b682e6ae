"""The execution API for a shop or billing system: gestures to carry out, and results back.

Mounted under /api/v1/ by careloop.api.urls; keys, permissions and idempotency are the API's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.idempotency import Outcome, run_once
from careloop.api.scopes import Scope
from careloop.api.strict_fields import StrictCharField, StrictChoiceField
from careloop.api.views import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView, StrictPages
from careloop.care import execution, selectors
from careloop.care.models import Gesture
from careloop.core.permissions import Action, restrict


class GestureCustomerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()


class GestureToExecuteSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    idempotency_key = serializers.UUIDField(
        help_text="Execute each key once; we send the same key on every retry."
    )
    kind = serializers.CharField()
    amount = serializers.CharField(help_text="Decimal with two places, in `currency`.")
    currency = serializers.CharField()
    booking = serializers.CharField(help_text="care_investment, or swap (items, no cost).")
    items_out = serializers.CharField()
    items_in = serializers.CharField()
    reason = serializers.CharField()
    customer = GestureCustomerSerializer()
    conversation_id = serializers.IntegerField()
    team = serializers.CharField()
    granted_at = serializers.DateTimeField()
    execution_status = serializers.CharField()


class ExecutionResultSerializer(serializers.Serializer[Any]):
    idempotency_key = serializers.UUIDField(help_text="The gesture's idempotency key.")
    result = StrictChoiceField(choices=["executed", "failed"])
    reference = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    detail = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class ExecutionStateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    idempotency_key = serializers.UUIDField()
    execution_status = serializers.CharField()
    external_reference = serializers.CharField()
    executed_at = serializers.DateTimeField(allow_null=True)


def _as_execution_item(gesture: Gesture) -> dict[str, Any]:
    return {**execution.payload_of(gesture), "execution_status": gesture.execution_status}


class GesturesToExecuteView(ApiView):
    """Granted and approved gestures that the shop has not yet reported executed."""

    required_action = Action.EXECUTE_GESTURES
    required_scopes = {"GET": Scope.CARE_READ}
    pagination_class = StrictPages

    @extend_schema(
        operation_id="gestures_to_execute_list",
        description="Gestures waiting to be carried out (pending or sent), oldest first. "
        "Report each result to `gestures/executions/`.",
        tags=["gestures"],
        responses={
            200: GestureToExecuteSerializer(many=True),
            400: OpenApiResponse(description="An invalid page size."),
            404: OpenApiResponse(description="No such page."),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = StrictPages()
        gestures = restrict(selectors.to_execute(), self.owner(), Action.EXECUTE_GESTURES)
        page = paginator.paginate_queryset(gestures, request, view=self)
        return paginator.get_paginated_response([_as_execution_item(g) for g in page or []])


class GestureExecutionsView(ApiView):
    """The shop reports whether it executed a gesture."""

    required_action = Action.EXECUTE_GESTURES
    required_scopes = {"POST": Scope.CARE_EXECUTE}

    @extend_schema(
        operation_id="gestures_executions_create",
        summary="Report that a gesture was executed, or failed",
        description="Idempotent twice over: the Idempotency-Key replays the first answer, and "
        "reporting the same result for a gesture again changes nothing. An executed gesture "
        "cannot be reported failed afterwards (400).",
        tags=["gestures"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ExecutionResultSerializer,
        responses={
            201: ExecutionStateSerializer,
            404: OpenApiResponse(description="No gesture has this idempotency key."),
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._record(request))

    def _record(self, request: Request) -> Outcome:
        form = ExecutionResultSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        gestures = restrict(Gesture.objects.all(), self.owner(), Action.EXECUTE_GESTURES)
        gesture = gestures.filter(idempotency_key=data["idempotency_key"]).first()
        if gesture is None:
            raise NotFound("No gesture has this idempotency key.")
        try:
            gesture = execution.record_result(
                gesture,
                succeeded=data["result"] == "executed",
                reference=data["reference"],
                detail=data["detail"],
            )
        except ValidationError as error:
            raise ApiValidationError({"result": error.messages}) from None
        body = ExecutionStateSerializer(gesture).data
        return Outcome(status.HTTP_201_CREATED, body)

"""Goodwill: gestures (read, and requested through the care services, which enforce
allowances and four eyes), allowances, and the execution API for a shop or billing system
(gestures to carry out, and results back)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import cursor_page, found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.schema_hooks import AMOUNT_PATTERN
from careloop.api.scopes import Scope
from careloop.api.selectors import visible_conversation
from careloop.api.service_errors import as_api_errors
from careloop.api.strict_fields import StrictCharField, StrictChoiceField, StrictIntegerField
from careloop.care import execution, selectors, services
from careloop.care.models import Allowance, ExecutionStatus, Gesture, GestureKind, GestureStatus
from careloop.core.permissions import Action, restrict
from careloop.people.models import User

GESTURE_NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No gesture has this id.")
MAX_ROW_ID = 10**18 - 1


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
    pagination_class = CursorPages
    cursor_ordering = ("created_at", "id")

    @extend_schema(
        operation_id="gestures_to_execute_list",
        description="Gestures waiting to be carried out (pending or sent), oldest first. "
        "Report each result to `gestures/executions/`.",
        tags=["gestures"],
        responses={
            200: GestureToExecuteSerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPages()
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


# --- gestures and allowances, as the goodwill pages show them ------------------------------


class GestureSerializer(serializers.ModelSerializer[Gesture]):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, help_text="In `currency`."
    )
    agent_email = serializers.EmailField(source="agent.email", read_only=True)

    class Meta:
        model = Gesture
        fields = (
            "id",
            "kind",
            "amount",
            "currency",
            "reason",
            "items_out",
            "items_in",
            "booking",
            "customer",
            "conversation",
            "agent_email",
            "team",
            "status",
            "within_allowance",
            "created_at",
            "approval_due",
            "decided_at",
            "decision_reason",
            "execution_status",
            "executed_at",
        )
        read_only_fields = fields


class GestureFilterSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(
        choices=GestureStatus.choices, required=False, allow_blank=True, help_text="Empty: any."
    )
    execution_status = serializers.ChoiceField(
        choices=ExecutionStatus.choices, required=False, allow_blank=True, help_text="Empty: any."
    )


class GestureRequestSerializer(serializers.Serializer[dict[str, Any]]):
    conversation = StrictIntegerField(
        min_value=1, max_value=MAX_ROW_ID, help_text="The conversation the gesture is for."
    )
    kind = StrictChoiceField(choices=GestureKind.choices)
    amount = StrictCharField(
        max_length=13,
        required=False,
        default="0",
        validators=[RegexValidator(AMOUNT_PATTERN, "Give the amount as digits, e.g. 25.00.")],
        help_text='A decimal with at most two places, e.g. "25.00": more than 0 for a refund, '
        "credit or discount, 0 for a swap.",
    )
    reason = StrictCharField(min_length=1, max_length=2_000)
    items_out = StrictCharField(max_length=300, allow_blank=True, required=False, default="")
    items_in = StrictCharField(max_length=300, allow_blank=True, required=False, default="")


class AllowanceSerializer(serializers.ModelSerializer[Allowance]):
    agent_email = serializers.SerializerMethodField()
    per_incident_limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    period_limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Allowance
        fields = ("id", "team", "agent_email", "per_incident_limit", "period_limit", "updated_at")
        read_only_fields = fields

    def get_agent_email(self, allowance: Allowance) -> str | None:
        return allowance.agent.email if allowance.agent else None


def _gestures(owner: User) -> QuerySet[Gesture]:
    return restrict(selectors.gestures(), owner, Action.SEE_GESTURES)


class GesturesView(ApiView):
    """Gestures the key's owner may see; a POST asks for one as the owner."""

    required_action = Action.SEE_GESTURES
    method_actions = {"POST": Action.GRANT_GESTURES}
    required_scopes = {"GET": Scope.GOODWILL_READ, "POST": Scope.GOODWILL_WRITE}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)

    @extend_schema(
        operation_id="gestures_list",
        description="Goodwill gestures, newest first: an agent's own, a lead's team's, every "
        "team's for CX leadership.",
        tags=["gestures"],
        parameters=[GestureFilterSerializer],
        responses={
            200: GestureSerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        filters = GestureFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        gestures = _gestures(self.owner())
        for name in ("status", "execution_status"):
            if filters.validated_data.get(name):
                gestures = gestures.filter(**{name: filters.validated_data[name]})
        return cursor_page(gestures, request, self, GestureSerializer)

    @extend_schema(
        operation_id="gestures_create",
        summary="Grant a gesture, or ask a lead for one above the allowance",
        description="Granted at once (`status` granted) when it fits every allowance of the "
        "key's owner, their team and the incident; otherwise it waits for a lead "
        "(`status` pending), never the owner themselves.",
        tags=["gestures"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=GestureRequestSerializer,
        responses={
            201: GestureSerializer,
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No conversation has this id."),
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._request(request))

    def _request(self, request: Request) -> Outcome:
        form = GestureRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        conversation = found(
            visible_conversation(self.owner(), data["conversation"]), "conversation"
        )
        with as_api_errors():
            gesture = services.grant_gesture(
                agent=self.owner(),
                conversation=conversation,
                kind=data["kind"],
                amount=data["amount"],
                reason=data["reason"],
                items_out=data["items_out"],
                items_in=data["items_in"],
            )
        return Outcome(status.HTTP_201_CREATED, GestureSerializer(gesture).data)


class GestureView(ApiView):
    required_action = Action.SEE_GESTURES
    required_scopes = {"GET": Scope.GOODWILL_READ}

    @extend_schema(
        operation_id="gestures_retrieve",
        tags=["gestures"],
        responses={200: GestureSerializer, 404: GESTURE_NOT_FOUND},
    )
    def get(self, request: Request, gesture_id: int) -> Response:
        gesture = found(_gestures(self.owner()).filter(pk=gesture_id).first(), "gesture")
        return Response(GestureSerializer(gesture).data)


class AllowancesView(ApiView):
    """Team and agent allowances, as the allowances page lists them."""

    required_action = Action.MANAGE_ALLOWANCES
    required_scopes = {"GET": Scope.GOODWILL_READ}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)

    @extend_schema(
        operation_id="allowances_list",
        description="The team and agent allowances the key's owner may set (never one that "
        "binds their own gestures); empty limits follow the organisation's defaults.",
        tags=["gestures"],
        responses={
            200: AllowanceSerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPages()
        allowances = selectors.allowance_overrides_for(self.owner())
        page = paginator.paginate_queryset(allowances, request, view=self)
        return paginator.get_paginated_response(AllowanceSerializer(page, many=True).data)

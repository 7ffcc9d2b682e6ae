"""Customers: list and search, create, edit, merge, and a customer's whole data export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DomainValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api import selectors
from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import cursor_page, found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.serializers import ContactPointSerializer, CustomerSerializer
from careloop.api.service_errors import CONFLICT, Conflict
from careloop.api.strict_fields import (
    NO_NUL,
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIntegerField,
)
from careloop.conversations.models import Channel, Customer
from careloop.conversations.services import customers as customer_services
from careloop.conversations.services import merging
from careloop.core import privacy
from careloop.core.permissions import Action

NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No customer has this id.")
MAX_ROW_ID = 10**18 - 1


# --- serializers ---------------------------------------------------------------------------


class CustomerSearchSerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        validators=[NO_NUL],
        help_text="Part of the customer's name or email. Empty: every customer.",
    )


class CustomerListSerializer(serializers.ModelSerializer[Customer]):
    contact_points = ContactPointSerializer(many=True, read_only=True)
    preferred_channel = serializers.ChoiceField(
        choices=Channel.choices, allow_blank=True, read_only=True, help_text="Empty: no preference."
    )

    class Meta:
        model = Customer
        fields = (
            "id",
            "full_name",
            "email",
            "company",
            "language",
            "preferred_channel",
            "created_at",
            "contact_points",
        )
        read_only_fields = fields


class CustomerProfileSerializer(serializers.Serializer[dict[str, Any]]):
    """The profile fields staff may change (the email is a contact point, set on creation)."""

    full_name = StrictCharField(min_length=1, max_length=200)
    company = StrictCharField(max_length=200, allow_blank=True, required=False)
    language = StrictCharField(min_length=1, max_length=16, required=False)
    preferred_channel = StrictChoiceField(
        choices=Channel.choices, allow_blank=True, required=False, help_text="Empty: none."
    )
    notes = StrictCharField(max_length=10_000, allow_blank=True, required=False)


class CustomerCreateSerializer(CustomerProfileSerializer):
    email = StrictEmailField(required=False, max_length=254)


class CustomerMergeSerializer(serializers.Serializer[dict[str, Any]]):
    into = StrictIntegerField(
        min_value=1, max_value=MAX_ROW_ID, help_text="The customer that absorbs this one."
    )


# --- views ---------------------------------------------------------------------------------


def _customer_or_404(view: ApiView, customer_id: int, action: Action) -> Customer:
    return found(selectors.customer_for_api(view.owner(), customer_id, action), "customer")


class CustomersView(ApiView):
    """Customers, newest first, searchable; a POST creates one."""

    required_action = Action.VIEW_CUSTOMERS
    required_scopes = {"GET": Scope.CUSTOMERS_READ, "POST": Scope.CUSTOMERS_WRITE}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)
    audit_reads = True

    @extend_schema(
        operation_id="customers_list",
        description="Customers the key's owner may see, newest first; merged-away customers "
        "are left out. `q` searches names and emails.",
        tags=["customers"],
        parameters=[CustomerSearchSerializer],
        responses={
            200: CustomerListSerializer(many=True),
            **LIST_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        search = CustomerSearchSerializer(data=request.query_params)
        search.is_valid(raise_exception=True)
        customers = selectors.customers_for_api(self.owner(), search.validated_data.get("q", ""))
        return cursor_page(customers, request, self, CustomerListSerializer)

    @extend_schema(
        operation_id="customers_create",
        summary="Create a customer",
        description="An email already used by a customer is refused (409): merge instead.",
        tags=["customers"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer, 409: CONFLICT, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._create(request))

    def _create(self, request: Request) -> Outcome:
        form = CustomerCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            customer = customer_services.create_customer(**form.validated_data)
        except DomainValidationError as taken:
            raise Conflict(taken.message_dict) from None
        customer = _customer_or_404(self, customer.pk, Action.VIEW_CUSTOMERS)
        return Outcome(status.HTTP_201_CREATED, CustomerSerializer(customer).data)


class CustomerView(ApiView):
    """A customer's profile and the ids of their conversations; a PATCH edits the profile."""

    required_action = Action.VIEW_CUSTOMERS
    required_scopes = {"GET": Scope.CUSTOMERS_READ, "PATCH": Scope.CUSTOMERS_WRITE}
    audit_reads = True

    @extend_schema(
        operation_id="customers_retrieve",
        description="A customer's profile, contact points and conversation ids. A merged "
        "customer names the one that absorbed it in `merged_into`.",
        tags=["customers"],
        responses={200: CustomerSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = _customer_or_404(self, customer_id, Action.VIEW_CUSTOMERS)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        operation_id="customers_partial_update",
        summary="Edit a customer's profile",
        description="Changes only the fields sent. The email is a contact point and is not "
        "edited here. A merged customer is not edited (409): edit the one it was merged into.",
        tags=["customers"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CustomerProfileSerializer(partial=True),
        responses={200: CustomerSerializer, 404: NOT_FOUND, 409: CONFLICT, **WRITE_ERRORS},
    )
    def patch(self, request: Request, customer_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._edit(request, customer_id))

    def _edit(self, request: Request, customer_id: int) -> Outcome:
        customer = _customer_or_404(self, customer_id, Action.VIEW_CUSTOMERS)
        form = CustomerProfileSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        if customer.merged_into_id is not None:
            raise Conflict(
                f"This customer was merged into {customer.merged_into_id}; edit that one."
            )
        customer_services.update_customer(customer, **form.validated_data)
        customer = _customer_or_404(self, customer_id, Action.VIEW_CUSTOMERS)
        return Outcome(status.HTTP_200_OK, CustomerSerializer(customer).data)


class CustomerMergeView(ApiView):
    """Fold a duplicate customer into another."""

    required_action = Action.VIEW_CUSTOMERS
    required_scopes = {"POST": Scope.CUSTOMERS_WRITE}

    @extend_schema(
        operation_id="customers_merge",
        summary="Merge this customer into another",
        description="Moves this customer's conversations and contact points to `into`; this "
        "one stays, pointing at `into` for the audit trail. Answers the surviving customer. "
        "Either customer unknown is a 404; merging into itself or a customer already merged "
        "away is a 409.",
        tags=["customers"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CustomerMergeSerializer,
        responses={201: CustomerSerializer, 404: NOT_FOUND, 409: CONFLICT, **WRITE_ERRORS},
    )
    def post(self, request: Request, customer_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._merge(request, customer_id))

    def _merge(self, request: Request, customer_id: int) -> Outcome:
        source = _customer_or_404(self, customer_id, Action.VIEW_CUSTOMERS)
        form = CustomerMergeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        target = selectors.customer_for_api(
            self.owner(), form.validated_data["into"], Action.VIEW_CUSTOMERS
        )
        if target is None:
            raise NotFound("No customer has the id given as `into`.")
        if target.pk == source.pk:
            raise Conflict("A customer cannot be merged into itself.")
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise Conflict("One of the customers was merged away already; use the survivor.")
        merging.merge_customers(source, target)
        target = _customer_or_404(self, target.pk, Action.VIEW_CUSTOMERS)
        return Outcome(status.HTTP_201_CREATED, CustomerSerializer(target).data)


class CustomerExportView(ApiView):
    """Everything careloop holds about one customer (a data subject's access request)."""

    required_action = Action.MANAGE_CUSTOMER_PRIVACY
    required_scopes = {"GET": Scope.CUSTOMERS_EXPORT}
    audit_reads = True

    @extend_schema(
        operation_id="customers_export",
        description="The customer's data from every part of careloop, as the profile page's "
        "export gives it. Each export is in the audit log.",
        tags=["customers"],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The export."),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = _customer_or_404(self, customer_id, Action.MANAGE_CUSTOMER_PRIVACY)
        response = Response(privacy.export_customer_data(customer, self.owner()))
        response["Cache-Control"] = "no-store"
        return response

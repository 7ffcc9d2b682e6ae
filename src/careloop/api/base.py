"""What every API endpoint shares: the view base class with its declarations, common errors.

A key acts as its owner. Each view names the scope a key needs per method (`KeyHasScope`)
and the `Action` its owner needs (`OwnerMayTakeAction`, asking core.permissions); rows are
read through `restrict`/`may`, so a key sees exactly what its owner sees.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careloop.api.idempotency import HEADER
from careloop.api.models import ApiKey
from careloop.api.parsers import StrictJSONParser
from careloop.api.permissions import KeyHasScope, OwnerMayTakeAction
from careloop.api.schema_hooks import ScopedAutoSchema
from careloop.api.scopes import Scope
from careloop.api.services import record_key_use
from careloop.core.permissions import Action
from careloop.people.models import User

logger = logging.getLogger(__name__)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    location=OpenApiParameter.HEADER,
    required=True,
    description="1–255 printable ASCII characters, unique per request. A retry with the same "
    "key and body gets the original answer and changes nothing; the same key with a "
    "different request gets 422.",
)
WRITE_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Missing Idempotency-Key, bad JSON "
        "or invalid fields (field errors). The request is kept for review.",
    ),
    401: OpenApiResponse(description="No valid API key."),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="The key lacks the operation's scope, or its owner may not do this "
        "(an agent's message is always from the key's owner).",
    ),
    422: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="The Idempotency-Key was already used for a different request, or its "
        "answer is no longer kept (answers are kept 24 hours): send a new key.",
    ),
}


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is larger than the API accepts."
    default_code = "body_too_large"


class ApiView(APIView):
    """An endpoint that declares what it needs: a scope per method, and its owner's action."""

    required_action: ClassVar[Action]
    required_scopes: ClassVar[Mapping[str, Scope]]
    # A method that needs more than `required_action` (editing what others only read).
    method_actions: ClassVar[Mapping[str, Action]] = {}
    # Reads of confidential rows (internal notes, customer profiles) go to the audit log too.
    audit_reads: ClassVar[bool] = False
    permission_classes = (KeyHasScope, OwnerMayTakeAction)
    parser_classes = (StrictJSONParser,)
    schema = ScopedAutoSchema()

    def owner(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # keys are the only authentication the API accepts
        return user

    def api_key(self) -> ApiKey:
        key = self.request.auth
        assert isinstance(key, ApiKey)
        return key

    def handle_exception(self, exc: Exception) -> Response:
        """Every error is JSON: Django would answer a too-large body or a crash with HTML."""
        if isinstance(exc, RequestDataTooBig):
            exc = BodyTooLarge()
        try:
            return super().handle_exception(exc)
        except Exception:
            if settings.DEBUG:
                raise
            # Told as Django tells an uncaught error: error reporting and the test client see it.
            got_request_exception.send(sender=type(self), request=self.request._request)
            request = self.request
            logger.exception("Unexpected error answering %s %s", request.method, request.path)
            response = Response(
                {"detail": "Something went wrong on our side and nothing was changed; retry."},
                status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            )
            response.exception = True
            return response

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Only a key already authenticated: `request.auth` would authenticate now, and raise,
        # when an earlier step (content negotiation) refused the request first.
        key = getattr(request, "_auth", None)
        method = str(request.method)
        is_read = method in ("GET", "HEAD", "OPTIONS")
        if isinstance(key, ApiKey) and (self.audit_reads or not is_read):
            record_key_use(key, method=method, path=request.path, status_code=response.status_code)
        return response


def endpoint(view_class: type[ApiView], **initkwargs: Any) -> Any:
    """The view callable, carrying its declaration for the permission audit."""
    view = view_class.as_view(**initkwargs)
    view.required_action = view_class.required_action  # type: ignore[attr-defined]
    view.required_scopes = view_class.required_scopes  # type: ignore[attr-defined]
    view.method_actions = view_class.method_actions  # type: ignore[attr-defined]
    # API endpoints answer 401/403 instead of redirecting to the sign-in page.
    view.is_api_endpoint = True  # type: ignore[attr-defined]
    return view


@csrf_exempt  # like every API endpoint: keys, not cookies, authenticate
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """An unknown API address: a JSON 404 like every other API error."""
    return JsonResponse({"detail": "No API endpoint has this address."}, status=404)

"""A domain service's refusal, as the API's answer: 400 with the reason, or 403."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DomainPermissionDenied
from django.core.exceptions import ValidationError as DomainValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError


@contextmanager
def as_api_errors(field: str = "non_field_errors") -> Iterator[None]:
    """Turn a service's ValidationError into a 400 (under `field` unless it names fields) and
    its PermissionDenied into a 403, so the idempotent write keeps them as its answer."""
    try:
        yield
    except DomainValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({field: error.messages}) from None
    except DomainPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None


class Conflict(APIException):
    """The request is well formed, but the row's state does not allow it (already merged,
    already closed, a duplicate)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The item's current state does not allow this."
    default_code = "conflict"


CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The item's state does not allow this (already merged, closed, or taken).",
)

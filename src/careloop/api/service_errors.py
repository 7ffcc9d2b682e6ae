"""A domain service's refusal, as the API's answer: 400 with the reason, or 403."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DomainPermissionDenied
from django.core.exceptions import ValidationError as DomainValidationError
from rest_framework.exceptions import PermissionDenied, ValidationError


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

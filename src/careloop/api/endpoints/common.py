"""What the domain endpoints share: documented answers for lists and one-row reads."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.pagination import CursorPages
from careloop.api.query_params import whole_number

ONE_ROW_ERRORS = {
    404: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="No such row, or not one the key's owner may see (the two look the same).",
    ),
}


def cursor_page(
    queryset: Any, request: Request, view: Any, serializer: type[serializers.BaseSerializer[Any]]
) -> Response:
    """One page of `queryset` by `CursorPages`, as `serializer` writes each row."""
    paginator = CursorPages()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)


def found[T](row: T | None, what: str) -> T:
    if row is None:
        raise NotFound(f"No {what} has this id, or it is not yours to see.")
    return row


def name_of(person: Any) -> str | None:
    """A person as the pages name them; None for nobody."""
    return str(person) if person is not None else None


# Query numbers are 1–18 digits, as row ids in paths are: none overflows a 64-bit column.
QUERY_MAX = 10**18 - 1


class QueryWholeNumber(serializers.IntegerField):
    """A whole number in a query string: ASCII digits only, and given empty it is an error,
    not absent (DRF would quietly fall back to the default)."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            values = dictionary.getlist(self.field_name)
            return values[0] if len(values) == 1 else values
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> int:
        number = whole_number(data, 0, QUERY_MAX) if isinstance(data, str) else None
        if number is None:
            self.fail("invalid")
        return super().to_internal_value(number)

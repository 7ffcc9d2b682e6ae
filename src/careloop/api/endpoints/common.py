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

LIST_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="An invalid page size or filter."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="An unknown cursor."),
}
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

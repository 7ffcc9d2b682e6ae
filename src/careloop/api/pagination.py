"""Cursor pages: stable under inserts, and a bad cursor or page size is a clear error."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from careloop.api.query_params import one_whole_number

# A cursor position beyond a 64-bit column would reach the database as an error, not a page.
LARGEST_ID = 2**63 - 1


class CursorPages(CursorPagination):
    """Pages of 50 (1–200 on request), newest row first, by a unique key (`-id`)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
    _model: type[Model] | None = None

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        # Kept for `decode_cursor`, which checks a cursor's position against the key's field.
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        # Strict, unlike DRF's default: a page size that is not 1–200 is an error, not ignored.
        size = one_whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's cursor, whose position must also be a value of the ordering key (else 404)."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None or self._model is None:
            return cursor
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        field = self._model._meta.get_field(ordering.lstrip("-"))
        assert isinstance(field, Field)  # an ordering key is a column of the model
        try:
            value = field.to_python(cursor.position)
        except DjangoValidationError:
            raise NotFound(self.invalid_cursor_message) from None
        if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "Opaque: take it from a page's `next` or `previous` link. An unknown "
                    "cursor is a 404."
                )
        return parameters

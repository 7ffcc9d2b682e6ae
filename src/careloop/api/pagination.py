"""Cursor pages for every API list: opaque cursors over a stable key, `next`/`previous` links.

A cursor names the last row seen by its ordering key (a field and the unique id), so pages
never skip or repeat a row however many rows arrive while a client walks them, and a deep
page costs the same as the first (no OFFSET). A view names its order as `cursor_ordering`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from careloop.api.query_params import one_whole_number

MAX_CURSOR_LENGTH = 200
CURSOR_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_CURSOR_LENGTH}}}")
BAD_CURSOR = "A cursor is 1–200 letters, digits, '-' or '_', copied from a next or previous link."
UNKNOWN_CURSOR = (
    "No page starts at this cursor: it is not one the API gave. Start again without it."
)

LIST_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="An invalid filter, page size or cursor (field errors)."
    ),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description=UNKNOWN_CURSOR),
}


def _field_and_descending(term: str) -> tuple[str, bool]:
    return term.removeprefix("-"), term.startswith("-")


def _as_text(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat() if callable(isoformat) else value)


class CursorPages(BasePagination):
    """Pages of 50 (1–200 with `page_size`), ordered by `cursor_ordering` on the view.

    The ordering is one or two terms, the last the unique id: `("-id",)` or
    `("-updated_at", "-id")`; the first of two must never be null.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering: Sequence[str] = ("-id",)

    def __init__(self, ordering: Sequence[str] | None = None) -> None:
        if ordering is not None:
            self.ordering = tuple(ordering)
        self.next_cursor: str | None = None
        self.previous_cursor: str | None = None
        self.request: Request | None = None

    # --- reading a page ---------------------------------------------------------------------

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("Cursor pages walk a queryset: its rows have a key to resume at.")
        if view is not None and getattr(view, "cursor_ordering", None):
            self.ordering = tuple(view.cursor_ordering)
        self.request = request
        size = self._page_size(request)
        position, backwards = self._position(request, queryset.model)
        order = [self._flip(term) if backwards else term for term in self.ordering]
        rows = queryset.order_by(*order)
        if position is not None:
            rows = rows.filter(self._after(position, order))
        page = list(rows[: size + 1])
        more = len(page) > size
        page = page[:size]
        if backwards:
            page.reverse()
        has_next, has_previous = (True, more) if backwards else (more, position is not None)
        self.next_cursor = self._cursor(page[-1], False) if page and has_next else None
        self.previous_cursor = self._cursor(page[0], True) if page and has_previous else None
        return page

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.next_cursor),
                "previous": self._link(self.previous_cursor),
                "results": data,
            }
        )

    def _page_size(self, request: Request) -> int:
        size = one_whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def _position(
        self, request: Request, model: type[Model]
    ) -> tuple[tuple[Any, ...] | None, bool]:
        values = request.query_params.getlist(self.cursor_query_param)
        if not values:
            return None, False
        if len(values) > 1 or not CURSOR_PATTERN.fullmatch(values[0]):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        try:
            padded = values[0] + "=" * (-len(values[0]) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            keys, backwards = decoded["k"], decoded["b"]
            if not isinstance(keys, list) or len(keys) != len(self.ordering):
                raise ValueError("wrong length")
            if not isinstance(backwards, bool):
                raise ValueError("wrong direction")
            position = tuple(
                self._python_value(model, term, key)
                for term, key in zip(self.ordering, keys, strict=True)
            )
        except (
            ValueError,
            TypeError,
            KeyError,
            UnicodeError,
            binascii.Error,
            DjangoValidationError,
            FieldDoesNotExist,
        ):
            # Well formed, but not a position the API gave: there is no such page.
            raise NotFound(UNKNOWN_CURSOR) from None
        return position, backwards

    @staticmethod
    def _python_value(model: type[Model], term: str, key: object) -> Any:
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise ValueError("a cursor key is a string or a number")
        name, _ = _field_and_descending(term)
        field = model._meta.pk if name in ("id", "pk") else model._meta.get_field(name)
        value = field.to_python(key)  # type: ignore[union-attr]
        if value is None:
            raise ValueError("a cursor key is never null")
        if isinstance(value, int) and not -(2**63) < value < 2**63:
            raise ValueError("a cursor key fits a 64-bit column")
        return value

    @staticmethod
    def _flip(term: str) -> str:
        name, descending = _field_and_descending(term)
        return name if descending else f"-{name}"

    @staticmethod
    def _after(position: tuple[Any, ...], order: Sequence[str]) -> Q:
        """Rows strictly after `position` in `order` (lexicographic over the key's terms)."""
        after = Q(pk__in=[])
        for index, term in enumerate(order):
            name, descending = _field_and_descending(term)
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": position[index]})
            for earlier_term, earlier_value in zip(order[:index], position[:index], strict=True):
                step &= Q(**{_field_and_descending(earlier_term)[0]: earlier_value})
            after |= step
        return after

    def _cursor(self, row: Model, backwards: bool) -> str:
        keys = []
        for term in self.ordering:
            name, _ = _field_and_descending(term)
            value = getattr(row, "pk" if name in ("id", "pk") else name)
            keys.append(value if isinstance(value, int) else _as_text(value))
        raw = json.dumps({"k": keys, "b": backwards}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    # --- the schema ------------------------------------------------------------------------

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page; null on the last page."},
                "previous": {**link, "description": "The page before; null on the first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: copy it from a `next` or `previous` "
                "link; leave it out for the first page. Opaque: a cursor the API did not give "
                "names no page (404).",
                "schema": {
                    "type": "string",
                    "pattern": f"^{CURSOR_PATTERN.pattern}$",
                    "minLength": 1,
                    "maxLength": MAX_CURSOR_LENGTH,
                },
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

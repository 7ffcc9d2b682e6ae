"""Pickers that search as you type, instead of a `<select>` of every person or conversation.

A `Picker` renders a search box whose results come from a small endpoint (htmx) and the chosen
rows as chips holding hidden inputs, so the form posts the same ids a `<select>` would and its
field still validates them against its own queryset. Each endpoint answers with `picker_results`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from careloop.core.whole_numbers import parse_whole_number

# The most options one search returns: enough to choose from, small enough to read.
MAX_PICKER_OPTIONS = 20


@dataclass(frozen=True)
class PickerOption:
    value: str
    label: str


class Picker(forms.Widget):
    """One row (or several, with `multiple=True`) chosen by typing; `results` names the URL of
    the endpoint that lists matching options for `?q=`."""

    template_name = "core/widgets/picker.html"

    def __init__(
        self,
        results: str,
        *,
        multiple: bool = False,
        placeholder: str = "Type to search…",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.results = results
        self.allow_multiple_selected = multiple
        self.placeholder = placeholder
        # Set by ModelChoiceField to its ModelChoiceIterator (field and queryset included).
        self.choices: Any = ()

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            values = data.getlist(name) if isinstance(data, MultiValueDict) else data.get(name)
            if not isinstance(values, list | tuple):
                values = [values]
            return [value for value in values if value]
        return data.get(name) or None

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        # Choosing nobody posts nothing, which is a choice, as with a multiple <select>.
        return False

    def use_required_attribute(self, initial: Any) -> bool:
        # The search box is not the value; a chip may hold it.
        return False

    def chosen(self, value: Any) -> list[PickerOption]:
        """The options for the ids in `value`, labelled as the form's field labels them."""
        values = value if isinstance(value, list | tuple) else [value]
        ids = [str(getattr(item, "pk", item)) for item in values if item not in (None, "")]
        # Only ids that are plain whole numbers ('²'.isdigit() is True, and int() refuses it).
        ids = [pk for pk in ids if parse_whole_number(pk, minimum=1) is not None]
        field = getattr(self.choices, "field", None)
        if not ids or field is None:
            return []
        rows = {str(row.pk): row for row in field.queryset.filter(pk__in=ids)}
        return [PickerOption(pk, field.label_from_instance(rows[pk])) for pk in ids if pk in rows]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "chosen": self.chosen(value),
                "multiple": self.allow_multiple_selected,
                "results_url": reverse(self.results),
                "placeholder": self.placeholder,
            }
        )
        return context

    def format_value(self, value: Any) -> Any:
        return value


def picker_results[M: Model](
    request: HttpRequest,
    rows: QuerySet[M],
    label: Callable[[M], str] = str,
) -> HttpResponse:
    """The options an endpoint found, at most MAX_PICKER_OPTIONS, as the picker shows them."""
    options = [PickerOption(str(row.pk), label(row)) for row in rows[:MAX_PICKER_OPTIONS]]
    return render(
        request,
        "core/widgets/_picker_results.html",
        {"options": options, "query": request.GET.get("q", "").strip()},
    )

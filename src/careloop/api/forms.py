"""The admin's form for issuing an API key: a name, the employee it acts as, its scopes."""

from __future__ import annotations

from typing import Any

from django import forms

from careloop.api.scopes import SCOPE_CHOICES
from careloop.core.widgets import Picker
from careloop.people.models import User
from careloop.people.selectors import employees


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} <{obj.email}> · {obj.role_label}"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=120, help_text="What the key is for, e.g. 'Shop backend'.", strip=True
    )
    owner = OwnerChoiceField(
        queryset=User.objects.none(),
        widget=Picker("people:person-picker"),
        help_text="The key acts as this person: with their rights, on the rows they may see, "
        "and writes in their name.",
    )
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may touch, whatever its owner may do beyond that.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = employees().filter(is_active=True)  # type: ignore[attr-defined]

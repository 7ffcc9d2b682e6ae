from __future__ import annotations

import datetime
from typing import Any

from django import forms

from careloop.core import calendar
from careloop.core.permissions import Action, can
from careloop.core.widgets import Picker
from careloop.people.models import User
from careloop.people.selectors import employees
from careloop.playbook.models import Visibility
from careloop.playbook.services import DEFAULT_REVIEW_DAYS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        # Browsers' date inputs take ISO dates only, whatever the locale's format.
        super().__init__(attrs, format="%Y-%m-%d")


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.CharField(max_length=80, required=False)
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Plain text; blank lines separate paragraphs.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INTERNAL)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), empty_label=None, widget=Picker("people:person-picker")
    )
    review_by = forms.DateField(label="Review by", widget=DateInput)
    change_note = forms.CharField(label="What changed", max_length=300, required=False)

    def __init__(
        self, *args: Any, editor: User, current_visibility: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = employees().filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["owner"].initial = editor.pk
        self.fields["review_by"].initial = calendar.today() + datetime.timedelta(
            DEFAULT_REVIEW_DAYS
        )
        if not can(editor, Action.MANAGE_PLAYBOOK) and current_visibility != Visibility.PUBLIC:
            self.fields["visibility"].choices = [  # type: ignore[attr-defined]
                (Visibility.INTERNAL.value, Visibility.INTERNAL.label)
            ]
            self.fields["visibility"].help_text = "Leads publish articles to the help centre."


class ReviewedForm(forms.Form):
    next_review_by = forms.DateField(label="Next review by", widget=DateInput, required=False)

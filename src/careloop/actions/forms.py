from __future__ import annotations

import datetime
from typing import Any

from django import forms

from careloop.actions.models import ActionItem
from careloop.core import calendar
from careloop.core.widgets import Picker
from careloop.people.models import Team, User
from careloop.people.selectors import employees


class DateInput(forms.DateInput):
    input_type = "date"


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), widget=Picker("people:person-picker")
    )
    kind = forms.ChoiceField(label="Type", choices=ActionItem.Kind.choices)
    due = forms.DateField(
        widget=DateInput, required=False, help_text="Leave empty for a week from today."
    )
    recheck_on = forms.DateField(
        label="Re-check on",
        widget=DateInput,
        required=False,
        help_text="When to check the change worked.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = employees().filter(is_active=True)  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)
    evidence = forms.CharField(
        label="Evidence of completion", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    dropped_reason = forms.CharField(
        label="Reason for dropping", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    recheck_on = forms.DateField(label="Re-check on", widget=DateInput, required=False)


class FeedbackSessionForm(forms.Form):
    title = forms.CharField(max_length=200)
    person = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, widget=Picker("people:person-picker")
    )
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    next_on = forms.DateField(label="Next session on", widget=DateInput)
    recurrence_days = forms.IntegerField(label="Repeat every (days)", min_value=1, initial=14)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = employees().filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["next_on"].initial = calendar.today() + datetime.timedelta(days=7)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("person")) == bool(cleaned.get("team")):
            raise forms.ValidationError("Choose either one person or one team.")
        return cleaned


class AgendaItemForm(forms.Form):
    text = forms.CharField(label="Add to the agenda", widget=forms.Textarea(attrs={"rows": 2}))


class SessionRecordForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    actions = forms.CharField(
        label="Agreed actions",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line. Each goes into the ledger, owned by the session's person "
        "(or by you for a team session).",
    )

from __future__ import annotations

import datetime
from typing import ClassVar

from django import forms
from django.utils.text import slugify

from careloop.conversations.models import Channel
from careloop.insights.analytics import OUTCOMES
from careloop.insights.selectors import Scope
from careloop.insights.sources import culture_sources
from careloop.people.models import Team

PERIODS = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 365 days"),
]


class DashboardFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.order_by("name"), required=False, empty_label="All teams"
    )
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="30")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both a start and an end date, or neither.")
        if start and end and end < start:
            raise forms.ValidationError("The end date comes before the start date.")
        if start and end and (end - start).days > 3 * 366:
            raise forms.ValidationError("Choose a period of at most three years.")
        return data

    def scope(self, today: datetime.date) -> Scope:
        data = self.cleaned_data
        team = data.get("team")
        if data.get("start") and data.get("end"):
            first, last = data["start"], data["end"]
        else:
            days = int(data.get("period") or 30)
            first, last = today - datetime.timedelta(days=days - 1), today
        return Scope(first, last, team.pk if team else None, data.get("channel") or "")


class AnalyticsForm(forms.Form):
    # What the page computes when nothing is chosen; the form shows the same choices.
    DEFAULTS: ClassVar[dict[str, str]] = {"culture": "empathy", "outcome": "csat", "months": "12"}

    culture = forms.ChoiceField(choices=(), required=False)
    outcome = forms.ChoiceField(
        choices=[(key, label) for key, (label, _, _) in OUTCOMES.items()], required=False
    )
    months = forms.TypedChoiceField(
        choices=[("6", "6 months"), ("12", "12 months"), ("24", "24 months")],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["culture"].choices = [  # type: ignore[attr-defined]
            (key, source.label) for key, source in culture_sources().items()
        ]


class StageForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300, required=False)


class TouchpointForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300, required=False)
    tags = forms.CharField(
        max_length=500,
        required=False,
        help_text="Comma-separated conversation tags, e.g. delivery, late-parcel.",
    )
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Channel.choices], required=False)

    def clean_tags(self) -> list[str]:
        names = [slugify(name) for name in self.cleaned_data["tags"].split(",") if name.strip()]
        if any(not name for name in names):
            raise forms.ValidationError("Tags are words or hyphenated words.")
        return list(dict.fromkeys(names))

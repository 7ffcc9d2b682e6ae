from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from careloop.core.permissions import Role, grantable_roles
from careloop.people.models import TIME_ZONE_CHOICES, BusinessHours, Team, User
from careloop.people.services import OpeningHours


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One value per line, e.g. “Own the outcome”. Kudos are tied to these.",
    )

    holidays = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One closed day per line: a date and a name, e.g. “2026-12-25 Christmas Day”.",
    )

    def clean_holidays(self) -> list[tuple[date, str]]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["holidays"].splitlines(), start=1):
            if not line.strip():
                continue
            day_text, _, name = line.strip().partition(" ")
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: start with a date written as YYYY-MM-DD."
                ) from None
            parsed.append((day, name.strip() or "Holiday"))
        return parsed

    def value_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["values"].splitlines() if line.strip()]


class OpeningHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        choices=BusinessHours.Weekday.choices, coerce=int, widget=forms.HiddenInput
    )
    is_open = forms.BooleanField(required=False, label="Open")
    opens = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("is_open"):
            opens, closes = cleaned.get("opens"), cleaned.get("closes")
            if opens is None or closes is None:
                raise forms.ValidationError("An open day needs an opening and a closing time.")
            if opens >= closes:
                raise forms.ValidationError("Opening time must be before closing time.")
        return cleaned

    def opening_hours(self) -> OpeningHours | None:
        if not self.cleaned_data.get("is_open"):
            return None
        return OpeningHours(
            weekday=self.cleaned_data["weekday"],
            opens=self.cleaned_data["opens"],
            closes=self.cleaned_data["closes"],
        )


# Exactly one form per weekday; a posted form count that says otherwise is refused.
OpeningHoursFormSet = forms.formset_factory(
    OpeningHoursForm, extra=0, min_num=7, max_num=7, validate_min=True, validate_max=True
)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Team.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A team with this name already exists.")
        return name


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(initial=Role.AGENT.value)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)

    def __init__(self, *args: Any, granted_by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the roles the signed-in person may give: never above their own.
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (role.value, role.label) for role in grantable_roles(granted_by)
        ]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone with this email address is already here.")
        return email

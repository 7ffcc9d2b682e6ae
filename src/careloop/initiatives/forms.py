from __future__ import annotations

from decimal import Decimal

from django import forms

from careloop.initiatives.models import Initiative, MoneySettings
from careloop.initiatives.outcomes import NOT_MONTHLY, outcome_choices
from careloop.people.models import Team


class InitiativeForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Initiative.Kind.choices, label="What was done")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    teams = forms.ModelMultipleChoiceField(
        Team.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cost_amount = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=2, initial=Decimal("0"), label="Cost (money)"
    )
    cost_hours = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=1, initial=Decimal("0"), label="Cost (hours)"
    )
    outcomes = forms.MultipleChoiceField(
        choices=[
            *outcome_choices(),
            *[(key, f"{key.title()} (not yet measurable)") for key in NOT_MONTHLY],
        ],
        widget=forms.CheckboxSelectMultiple,
        label="Outcomes it is meant to move",
    )
    source_kind = forms.CharField(widget=forms.HiddenInput, required=False)
    source_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source_label = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end date comes before the start date.")
        if data.get("source_kind", "") not in Initiative.SourceKind.values:
            raise forms.ValidationError("Unknown source.")
        return data


class MoneySettingsForm(forms.ModelForm[MoneySettings]):
    class Meta:
        model = MoneySettings
        fields = (
            "customer_annual_value",
            "replacement_cost",
            "agent_hour_cost",
            "minutes_per_contact",
        )
        labels = {
            "customer_annual_value": "What a retained customer is worth a year",
            "replacement_cost": "Cost of replacing an employee (hiring + ramp-up)",
            "agent_hour_cost": "Cost of an agent hour",
            "minutes_per_contact": "Agent minutes one extra contact takes",
        }

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from careloop.care import selectors
from careloop.care.models import CareSettings, GestureKind
from careloop.core.widgets import Picker
from careloop.people.models import Team, User


class GestureForm(forms.Form):
    kind = forms.ChoiceField(label="Gesture", choices=GestureKind.choices)
    amount = forms.DecimalField(
        label="Amount",
        initial=Decimal("0"),
        help_text="0 for a swap or a note.",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    items_out = forms.CharField(label="Item returned (swaps)", max_length=300, required=False)
    items_in = forms.CharField(label="Item given instead (swaps)", max_length=300, required=False)


class ConversationNumberForm(forms.Form):
    conversation = forms.IntegerField(label="Conversation number", min_value=1)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(
        label="Reason (shown to the agent)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CareSettingsForm(forms.ModelForm[CareSettings]):
    class Meta:
        model = CareSettings
        fields = (
            "currency",
            "per_incident_limit",
            "agent_period_limit",
            "team_period_limit",
            "approval_sla_minutes",
            "webhook_url",
        )
        labels = {
            "per_incident_limit": "Per customer incident",
            "agent_period_limit": "Per agent per month",
            "team_period_limit": "Per team per month",
            "approval_sla_minutes": "Approval SLA (business minutes)",
            "webhook_url": "Execution webhook URL",
        }


class AllowanceForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    agent = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, widget=Picker("people:person-picker")
    )
    per_incident_limit = forms.DecimalField(
        label="Per customer incident",
        required=False,
        help_text="Empty: the default.",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
    )
    period_limit = forms.DecimalField(
        label="Per month",
        required=False,
        help_text="Empty: the default.",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
    )

    def __init__(self, *args: Any, lead: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only allowances that do not bind the setter's own gestures are offered.
        self.fields["team"].queryset = selectors.teams_for_allowances(lead)  # type: ignore[attr-defined]
        self.fields["agent"].queryset = selectors.agents_for_allowances(lead)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("team")) == bool(cleaned.get("agent")):
            raise forms.ValidationError("Choose either one team or one agent.")
        return cleaned

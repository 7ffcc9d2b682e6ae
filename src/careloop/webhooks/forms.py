"""Forms for Settings → Integrations: a webhook endpoint, and a Slack or Teams channel."""

from __future__ import annotations

from django import forms

from careloop.core.events import EVENT_TYPES
from careloop.people.models import Team
from careloop.webhooks.models import ChatService
from careloop.webhooks.outbound import UnsafeUrl, check_url

EVENT_CHOICES = [(event.name, f"{event.name} — {event.description}") for event in EVENT_TYPES]


def _safe_url(url: str) -> str:
    try:
        check_url(url, resolve=False)
    except UnsafeUrl as error:
        raise forms.ValidationError(str(error)) from None
    return url


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="URL", max_length=2000, assume_scheme="https", help_text="Where careloop POSTs."
    )
    description = forms.CharField(max_length=200, required=False, strip=True)
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the receiver hears of; each is signed and retried for a day.",
    )

    def clean_url(self) -> str:
        return _safe_url(self.cleaned_data["url"])


class EventTypesForm(forms.Form):
    event_types = forms.MultipleChoiceField(
        label="Events", choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class ChatChannelForm(forms.Form):
    service = forms.ChoiceField(choices=ChatService.choices)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        empty_label="Whole organisation (and what belongs to no team)",
    )
    webhook_url = forms.URLField(
        label="Incoming-webhook URL",
        max_length=2000,
        assume_scheme="https",
        help_text="From the channel's Incoming Webhook (Slack) or Workflows webhook (Teams).",
    )

    def clean_webhook_url(self) -> str:
        return _safe_url(self.cleaned_data["webhook_url"])

from __future__ import annotations

from typing import Any

from django import forms

from careloop.conversations.models import Conversation, Message
from careloop.core.widgets import Picker
from careloop.people.models import User, Value
from careloop.people.selectors import current_organisation, employees
from careloop.recognition.selectors import agents_who_replied


class KudosForm(forms.Form):
    receiver = forms.ModelChoiceField(
        label="To", queryset=User.objects.none(), widget=Picker("people:person-picker")
    )
    value = forms.ModelChoiceField(
        label="For living the value", queryset=Value.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label="What they did",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Be specific: what happened and why it mattered.",
    )

    def __init__(self, *args: Any, giver: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = employees().filter(is_active=True).exclude(pk=giver.pk)  # type: ignore[attr-defined]
        self.fields["value"].queryset = current_organisation().values.all()  # type: ignore[attr-defined]


class StoryForm(forms.Form):
    title = forms.CharField(max_length=200)
    note = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="In your words, what the agent did. The customer's words are shown as they "
        "wrote them.",
    )
    value = forms.ModelChoiceField(
        label="Value it shows", queryset=Value.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].queryset = current_organisation().values.all()  # type: ignore[attr-defined]


class ProposeStoryForm(StoryForm):
    agent = forms.ModelChoiceField(label="About", queryset=User.objects.none(), empty_label=None)
    evidence_message = forms.ModelChoiceField(
        label="The customer's words",
        queryset=Message.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    field_order = ("agent", "evidence_message", "title", "note", "value")

    def __init__(self, *args: Any, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = agents_who_replied(conversation)
        self.fields["agent"].queryset = User.objects.filter(pk__in=[a.pk for a in agents])  # type: ignore[attr-defined]
        evidence = self.fields["evidence_message"]
        evidence.queryset = conversation.messages.filter(  # type: ignore[attr-defined]
            author_kind=Message.Author.CUSTOMER
        ).order_by("-created_at")
        evidence.label_from_instance = lambda message: message.body_text[:300]  # type: ignore[attr-defined]

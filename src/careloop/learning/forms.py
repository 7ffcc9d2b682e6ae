from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from careloop.conversations.models import Conversation
from careloop.core.permissions import Action, holders
from careloop.core.widgets import Picker
from careloop.learning.models import (
    ContributingFactor,
    LearningReview,
    ReviewKind,
    TimelineEntry,
)


class ReviewForm(forms.ModelForm[LearningReview]):
    # Deliberately no field names a person as the cause: factors name conditions in the system.
    participants = forms.ModelMultipleChoiceField(
        queryset=holders(Action.USE_LEARNING),
        required=False,
        widget=Picker("people:person-picker", multiple=True),
        label="People involved",
        help_text="Who took part in what happened; they tell the story, nobody is on trial.",
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=holders(Action.USE_LEARNING),
        required=False,
        widget=Picker("people:person-picker", multiple=True),
        help_text="Who reads the draft and helps find contributing factors.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        both = set(cleaned.get("participants") or []) & set(cleaned.get("reviewers") or [])
        if both:
            raise forms.ValidationError("Choose one role for each person: involved or reviewer.")
        return cleaned

    conversations = forms.ModelMultipleChoiceField(
        queryset=Conversation.objects.order_by("-pk"),
        required=False,
        widget=Picker("conversations:conversation-picker", multiple=True),
        help_text="Type a number or words from the conversation.",
    )

    class Meta:
        model = LearningReview
        fields = [
            "title",
            "kind",
            "severity",
            "visibility",
            "summary",
            "impact",
            "went_well",
            "went_wrong",
            "got_lucky",
            "conversations",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 2}),
            "went_well": forms.Textarea(attrs={"rows": 2}),
            "went_wrong": forms.Textarea(attrs={"rows": 2}),
            "got_lucky": forms.Textarea(attrs={"rows": 2}),
        }


TimelineFormSet = inlineformset_factory(
    LearningReview,
    TimelineEntry,
    fields=["at", "known"],
    extra=2,
    widgets={"known": forms.Textarea(attrs={"rows": 2})},
)
FactorFormSet = inlineformset_factory(
    LearningReview,
    ContributingFactor,
    fields=["category", "description"],
    extra=3,
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
)


class PublishForm(forms.Form):
    acknowledge_flags = forms.BooleanField(
        required=False,
        label="I have read the flagged passages and publish them as they are, on purpose.",
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(
        queryset=holders(Action.USE_LEARNING), widget=Picker("people:person-picker")
    )
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ProcessFeedbackForm(forms.Form):
    safety = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        label="How safe did it feel to speak openly in this review? (1 = not at all, 5 = fully)",
    )


class AnonymousReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReviewKind.choices, label="What is it about?")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        label="What happened, or what worries you?",
    )


class FollowUpCodeForm(forms.Form):
    code = forms.CharField(max_length=64, label="Your follow-up code")


class ThreadReplyForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, label="Reply"
    )

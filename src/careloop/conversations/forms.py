from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from careloop.conversations.models import (
    Channel,
    Conversation,
    Customer,
    Priority,
    SavedReply,
    Status,
)
from careloop.core.widgets import Picker
from careloop.people.models import Team
from careloop.people.selectors import active_employees

AFTER_REPLY_CHOICES = [
    ("", "Keep status"),
    (Status.PENDING.value, "Pending (waiting on the customer)"),
    (Status.ON_HOLD.value, "On hold"),
    (Status.SOLVED.value, "Solved"),
]


def staff_members() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=active_employees(),
        required=False,
        empty_label="Unassigned",
        widget=Picker("people:person-picker", placeholder="Unassigned; type a name to assign"),
    )


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReplyForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": "Write to the customer…",
                "data-shortcut": "reply-body",
            }
        ),
        max_length=20_000,
        label="Reply",
    )
    internal = forms.BooleanField(
        required=False,
        label="Internal note (only the team sees it)",
        widget=forms.CheckboxInput(attrs={"data-shortcut": "internal-note"}),
    )
    then_status = forms.ChoiceField(choices=AFTER_REPLY_CHOICES, required=False, label="Then")
    attachments = MultipleFileField(required=False, label="Attach files (up to 5, 10 MB each)")

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"Attach at most {MAX_ATTACHMENTS} files.")
        for upload in files:
            if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(f"{upload.name} is larger than 10 MB.")
        return files


class ConversationSettingsForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, widget=forms.Select(attrs={"data-shortcut": "status"})
    )
    priority = forms.ChoiceField(choices=Priority.choices)
    assignee = staff_members()
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. refund, damaged-item")

    @classmethod
    def for_conversation(cls, conversation: Conversation) -> ConversationSettingsForm:
        return cls(
            initial={
                "status": conversation.status,
                "priority": conversation.priority,
                "assignee": conversation.assignee_id,
                "tags": ", ".join(tag.name for tag in conversation.tags.all()),
            }
        )

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]


class MergeForm(forms.Form):
    """Pick the record a duplicate folds into; conversations and customers merge the same way."""

    into = forms.IntegerField(min_value=1, label="Merge into number")

    def target_for(self, source: Conversation | Customer) -> Conversation | Customer | None:
        """Another record of the same kind that has not itself been merged away, or None."""
        if not self.is_valid() or self.cleaned_data["into"] == source.pk:
            return None
        return (
            type(source)
            ._default_manager.filter(pk=self.cleaned_data["into"], merged_into__isnull=True)
            .first()
        )


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("assign_me", "Assign to me"),
        ("unassign", "Unassign"),
        ("pending", "Mark pending"),
        ("on_hold", "Put on hold"),
        ("solved", "Mark solved"),
        ("tag", "Add tag"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    conversations = forms.ModelMultipleChoiceField(
        queryset=Conversation.objects.all(), widget=forms.MultipleHiddenInput
    )
    tag = forms.SlugField(required=False, max_length=60)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "tag" and not cleaned.get("tag"):
            raise forms.ValidationError("Name the tag to add.")
        return cleaned


class SavedReplyForm(forms.ModelForm[SavedReply]):
    class Meta:
        model = SavedReply
        fields = ("title", "body", "team")
        help_texts = {
            "body": "A starting point, not a script. Placeholders: {{ customer.first_name }}, "
            "{{ customer.full_name }}, {{ agent.first_name }}, {{ conversation.subject }}.",
        }


class CustomerForm(forms.ModelForm[Customer]):
    class Meta:
        model = Customer
        fields = ("full_name", "company", "language", "preferred_channel", "notes")


class SlaPolicyForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, widget=forms.HiddenInput)
    first_response_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 30)
    next_response_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 30)
    resolution_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 90)


SlaPolicyFormSet = forms.formset_factory(SlaPolicyForm, extra=0, min_num=4, max_num=4)


class ChannelSlaForm(forms.Form):
    """Blank targets follow the priority targets; a filled one applies when it is tighter."""

    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    first_response_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 30, required=False)
    next_response_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 30, required=False)


ChannelSlaFormSet = forms.formset_factory(
    ChannelSlaForm, extra=0, min_num=len(Channel.choices), max_num=len(Channel.choices)
)


class RoutingForm(forms.Form):
    default_team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="No team (everyone's inbox)"
    )
    auto_assign_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Teams that assign new conversations round robin",
    )


class DisputeForm(forms.Form):
    mechanism = forms.ChoiceField(
        choices=[
            ("emotional_reactions", "Emotional reactions"),
            ("interpretations", "Interpretations"),
            ("explorations", "Explorations"),
        ]
    )
    agent_level = forms.TypedChoiceField(
        choices=[(0, "None"), (1, "Weak"), (2, "Strong")], coerce=int, label="It should be"
    )
    note = forms.CharField(max_length=500, required=False, label="Why (optional)")

"""The search box and its filters."""

from __future__ import annotations

from django import forms

from careloop.conversations.models import Channel, Status, Tag
from careloop.conversations.selectors import ConversationFilters
from careloop.people.models import Team, User
from careloop.people.selectors import employees


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, label="Search")
    status = forms.MultipleChoiceField(
        required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    team = forms.ModelChoiceField(
        required=False, queryset=Team.objects.none(), empty_label="Any team"
    )
    assignee = forms.ModelChoiceField(
        required=False, queryset=User.objects.none(), empty_label="Anyone"
    )
    tag = forms.ModelChoiceField(
        required=False, queryset=Tag.objects.none(), to_field_name="name", empty_label="Any tag"
    )
    since = forms.DateField(
        required=False, label="Started on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Started on or before", widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = employees()  # type: ignore[attr-defined]
        self.fields["tag"].queryset = Tag.objects.all()  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update(
            {
                "id": "search",
                "data-shortcut": "search",
                "type": "search",
                "autocomplete": "off",
                "placeholder": "Words, a customer, an article, or #number",
            }
        )

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip()

    def filters(self) -> ConversationFilters:
        data = self.cleaned_data
        return ConversationFilters(
            statuses=tuple(data.get("status") or ()),
            channel=data.get("channel") or "",
            team_id=data["team"].pk if data.get("team") else None,
            assignee_id=data["assignee"].pk if data.get("assignee") else None,
            tag=data["tag"].name if data.get("tag") else "",
            since=data.get("since"),
            until=data.get("until"),
            customer_id=data.get("customer"),
        )

    @property
    def narrowed(self) -> bool:
        """Whether any filter beyond the words is set."""
        return self.is_bound and any(
            self.cleaned_data.get(name) for name in self.fields if name != "q"
        )

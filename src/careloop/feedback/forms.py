from __future__ import annotations

from typing import Any

from django import forms

from careloop.core.scales import CES, CSAT, NPS
from careloop.core.widgets import Picker
from careloop.feedback.models import (
    Concern,
    EmailRule,
    RecoveryContact,
    RecoveryTask,
    SurveyQuestion,
    SurveySettings,
)
from careloop.feedback.services.surveys import AskedQuestions
from careloop.people.selectors import active_employees


class SurveyAnswerForm(forms.Form):
    comment = forms.CharField(
        label="Anything you would like to tell us?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, asked: AskedQuestions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked = asked
        scores: dict[str, forms.Field] = {}
        if asked.csat:
            scores["csat"] = forms.TypedChoiceField(
                label="How satisfied are you with the help you received? "
                "(1 = very unsatisfied, 5 = very satisfied)",
                choices=CSAT.choices(),
                coerce=int,
                widget=forms.RadioSelect,
            )
        if asked.ces:
            scores["ces"] = forms.TypedChoiceField(
                label="We made it easy to handle my issue. "
                "(1 = strongly disagree, 7 = strongly agree)",
                choices=CES.choices(),
                coerce=int,
                widget=forms.RadioSelect,
            )
        if asked.nps:
            scores["nps"] = forms.TypedChoiceField(
                label="How likely are you to recommend us to a friend or colleague? "
                "(0 = not at all likely, 10 = extremely likely)",
                choices=NPS.choices(),
                coerce=int,
                widget=forms.RadioSelect,
            )
        follow_ups = {
            f"question_{index}": forms.CharField(
                label=question, required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
            )
            for index, question in enumerate(asked.follow_ups)
        }
        comment = self.fields.pop("comment")
        self.fields.update(scores)
        self.fields.update(follow_ups)
        self.fields["comment"] = comment

    def follow_up_answers(self) -> dict[str, str]:
        return {
            question: self.cleaned_data.get(f"question_{index}", "")
            for index, question in enumerate(self.asked.follow_ups)
        }


class ConcernForm(forms.Form):
    category = forms.ChoiceField(
        label="What is it about?", choices=Concern.Category.choices, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label="What happened?", max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    identity = forms.ChoiceField(
        label="How should we treat your identity?",
        choices=[
            ("anonymous", "Anonymously: we store no name, email or address, only the day"),
            ("named", "Confidentially: give your name; only the concerns team sees it"),
        ],
        initial="anonymous",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="Your name (only if confidential)", required=False, max_length=200)
    email = forms.EmailField(
        label="Your email (optional, only if confidential: we tell you when we answer)",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("identity") == "named" and not (cleaned.get("name") or "").strip():
            self.add_error("name", "Give your name, or choose to stay anonymous.")
        if cleaned.get("identity") == "anonymous":
            cleaned["name"] = cleaned["email"] = ""
        return cleaned


class ConcernFollowUpForm(forms.Form):
    reference = forms.CharField(label="Case reference", max_length=16)
    code = forms.CharField(label="Follow-up code", max_length=64, widget=forms.PasswordInput)


class MessageForm(forms.Form):
    body = forms.CharField(label="Your message", widget=forms.Textarea(attrs={"rows": 4}))


class ConcernStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Concern.Status.choices)


class ContactForm(forms.ModelForm[RecoveryContact]):
    class Meta:
        model = RecoveryContact
        fields = ("channel", "reached", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"note": "What was said or tried"}


class CloseTaskForm(forms.Form):
    outcome = forms.ChoiceField(choices=RecoveryTask.Outcome.choices, widget=forms.RadioSelect)
    causes = forms.CharField(
        label="Causes",
        required=False,
        help_text="Comma-separated, e.g. “Late delivery, Refund took too long”.",
        widget=forms.TextInput(attrs={"list": "cause-names"}),
    )
    note = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def cause_names(self) -> list[str]:
        return [name for name in self.cleaned_data.get("causes", "").split(",") if name.strip()]


class SurveySettingsForm(forms.ModelForm[SurveySettings]):
    class Meta:
        model = SurveySettings
        fields = (
            "post_resolution_enabled",
            "delay_hours",
            "ask_csat",
            "ask_ces",
            "ask_nps_after_conversation",
            "relationship_enabled",
            "relationship_every_days",
            "quiet_period_days",
            "reminder_after_days",
            "link_valid_days",
        )


class SurveyQuestionForm(forms.ModelForm[SurveyQuestion]):
    class Meta:
        model = SurveyQuestion
        fields = ("text", "kind", "position")


class EmailRuleForm(forms.ModelForm[EmailRule]):
    class Meta:
        model = EmailRule
        fields = ("enabled", "subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class ThemeRenameForm(forms.Form):
    label = forms.CharField(label="Name", max_length=120)


class PromoteCauseForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=active_employees(), widget=Picker("people:person-picker")
    )
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

from __future__ import annotations

from typing import Any

from django import forms

from careloop.core import calendar
from careloop.core.permissions import Action, holders
from careloop.core.widgets import Picker
from careloop.people.models import Team, User
from careloop.pulse.models import (
    DEFAULT_MIN_COMMENT_GROUP,
    DEFAULT_MIN_GROUP,
    MIN_GROUP_FLOOR,
    Cadence,
    IdeaStatus,
    LeavingReason,
    Module,
    PrivacyMode,
    Question,
    QuestionKind,
    RosterChange,
)

AGREEMENT_LABELS = {
    1: "1 · Strongly disagree",
    2: "2 · Disagree",
    3: "3 · Somewhat disagree",
    4: "4 · Neither",
    5: "5 · Somewhat agree",
    6: "6 · Agree",
    7: "7 · Strongly agree",
}


def _colleagues() -> Any:
    return holders(Action.USE_PULSE)


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why we ask, and what we will do with the answers.",
    )
    modules = forms.MultipleChoiceField(
        choices=[(m.value, m.label) for m in (Module.PSYCH_SAFETY, Module.ENGAGEMENT, Module.ENPS)],
        widget=forms.CheckboxSelectMultiple,
        initial=[Module.PSYCH_SAFETY, Module.ENGAGEMENT, Module.ENPS],
        required=False,
    )
    allow_comments = forms.BooleanField(required=False, initial=True, label="Ask for a comment")
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        help_text="Leave empty to ask everyone.",
        widget=forms.CheckboxSelectMultiple,
    )
    privacy_mode = forms.ChoiceField(choices=PrivacyMode.choices)
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.MONTHLY, label="Schedule")
    first_round_on = forms.DateField(
        initial=calendar.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="First round opens on",
    )
    open_days = forms.IntegerField(
        min_value=1, max_value=60, initial=7, label="Days each round stays open"
    )
    reminder_after_days = forms.IntegerField(
        min_value=1, max_value=30, initial=3, label="Send the one reminder after (days)"
    )
    min_group_size = forms.IntegerField(
        min_value=MIN_GROUP_FLOOR,
        max_value=50,
        initial=DEFAULT_MIN_GROUP,
        label="Minimum reporting group",
        help_text=(
            "Results show only for groups with at least this many answers "
            f"(at least {MIN_GROUP_FLOOR}). Locked once live."
        ),
    )
    min_comment_group = forms.IntegerField(
        min_value=MIN_GROUP_FLOOR,
        max_value=100,
        initial=DEFAULT_MIN_COMMENT_GROUP,
        label="Answers needed before comments show",
    )


class CustomQuestionForm(forms.Form):
    text = forms.CharField(max_length=300, label="Question")
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Answered as")


class ThresholdForm(forms.Form):
    min_group_size = forms.IntegerField(min_value=MIN_GROUP_FLOOR, max_value=50)
    min_comment_group = forms.IntegerField(min_value=MIN_GROUP_FLOOR, max_value=100)


class AnswerForm(forms.Form):
    """One field per question: 1–7 agreement, 0–10 likelihood, or an optional comment."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            if question.kind == QuestionKind.AGREEMENT:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=list(AGREEMENT_LABELS.items()),
                    coerce=int,
                    widget=forms.RadioSelect,
                )
            elif question.kind == QuestionKind.SCALE_0_10:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=[(value, str(value)) for value in range(11)],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "scale-0-10"}),
                    help_text="0 = not at all likely, 10 = extremely likely",
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def answers(self) -> tuple[dict[int, int], dict[int, str]]:
        scores: dict[int, int] = {}
        comments: dict[int, str] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == QuestionKind.COMMENT:
                comments[question.pk] = value or ""
            elif value is not None:
                scores[question.pk] = value
        return scores, comments


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Your idea")
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        label="Which team is it about?",
        empty_label="The whole organisation",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Send anonymously",
        help_text=(
            "Your name is not stored; you get a code to read the answer. Otherwise your name "
            "is shown with the idea."
        ),
    )


class IdeaResponseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s.value, s.label) for s in (IdeaStatus.ADOPTED, IdeaStatus.TRYING, IdeaStatus.NOT_NOW)
        ],
        label="Answer",
    )
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why",
        help_text="What we will do, or why not now. A reasoned no keeps trust.",
    )
    add_action = forms.BooleanField(required=False, label="Add it to the action ledger")


class FollowUpCodeForm(forms.Form):
    code = forms.CharField(max_length=64, label="Your follow-up code")


class FeedbackRequestForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Whom to ask",
        help_text=(
            "Peers, direct reports and your lead. Peer answers show once three have answered."
        ),
        widget=Picker("people:person-picker", multiple=True),
    )
    focus = forms.CharField(
        required=False,
        max_length=500,
        label="What would you like feedback on?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Answer by",
    )

    def __init__(self, *args: Any, subject: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = _colleagues().exclude(pk=subject.pk)  # type: ignore[attr-defined]


class FeedbackAnswerForm(forms.Form):
    strength_situation = forms.CharField(
        label="Situation", widget=forms.Textarea(attrs={"rows": 2})
    )
    strength_behaviour = forms.CharField(
        label="Behaviour", widget=forms.Textarea(attrs={"rows": 2})
    )
    strength_impact = forms.CharField(label="Impact", widget=forms.Textarea(attrs={"rows": 2}))
    growth_situation = forms.CharField(
        label="Situation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    growth_behaviour = forms.CharField(
        label="Behaviour", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    growth_impact = forms.CharField(
        label="Impact", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ShareForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Share with", widget=Picker("people:person-picker")
    )

    def __init__(self, *args: Any, subject: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _colleagues().exclude(pk=subject.pk)  # type: ignore[attr-defined]


class RosterEventForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    person_name = forms.CharField(max_length=150, label="Name")
    change = forms.ChoiceField(choices=RosterChange.choices)
    on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date"
    )
    reason = forms.ChoiceField(
        choices=[("", "—"), *list(LeavingReason.choices)],
        required=False,
        help_text="For leavers: voluntary or involuntary.",
    )
    note = forms.CharField(max_length=300, required=False)


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: date, team, name, change (joined/left), reason (voluntary/involuntary "
        "for leavers), and optionally email and note.",
    )

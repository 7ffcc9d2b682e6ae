from __future__ import annotations

import datetime
from typing import Any

from django import forms

from careloop.coaching.models import (
    MAX_RATING,
    RATING_LABELS,
    Criterion,
    QAReview,
    Rating,
    Rubric,
    Scenario,
    ScenarioTurn,
)
from careloop.coaching.selectors import coachees, published_scenarios
from careloop.core import calendar
from careloop.core.permissions import Action, holders
from careloop.core.widgets import Picker
from careloop.people.models import User


class DateInput(forms.DateInput):
    input_type = "date"


class ScenarioForm(forms.ModelForm[Scenario]):
    class Meta:
        model = Scenario
        fields = ["title", "persona", "situation"]
        widgets = {
            "persona": forms.Textarea(attrs={"rows": 2}),
            "situation": forms.Textarea(attrs={"rows": 2}),
        }


TurnFormSet = forms.inlineformset_factory(
    Scenario,
    ScenarioTurn,
    fields=["customer_message", "model_answer"],
    widgets={
        "customer_message": forms.Textarea(attrs={"rows": 3}),
        "model_answer": forms.Textarea(attrs={"rows": 3}),
    },
    extra=1,
    can_delete=True,
)


class PracticeReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 5, "autofocus": True})
    )


class RubricForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CriterionForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    description = forms.CharField(max_length=300, required=False)
    weight = forms.IntegerField(min_value=1, max_value=10, initial=1)
    allows_na = forms.BooleanField(label="N/A allowed", required=False, initial=True)
    is_critical = forms.BooleanField(
        label="Critical (a miss flags the process, not the person)", required=False
    )
    autoqa = forms.ChoiceField(
        label="AutoQA pre-fill", choices=Criterion.AutoQA.choices, required=False
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=6)

VALUE_CHOICES = [("", "—"), *[(str(v), f"{v} · {label}") for v, label in RATING_LABELS.items()]]
CRITICAL_CHOICES = [("", "—"), (str(MAX_RATING), "Met"), ("0", "Missed: process check")]


class RatingsForm(forms.Form):
    """One rating field (and N/A, note, root cause) per criterion of the review's rubric."""

    strengths = forms.CharField(
        label="What went well", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    to_grow = forms.CharField(
        label="One thing to grow", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, review: QAReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ratings = list(review.ratings.select_related("criterion"))
        self.initial.update({"strengths": review.strengths, "to_grow": review.to_grow})
        for rating in self.ratings:
            criterion = rating.criterion
            prefix = f"c{criterion.pk}"
            self.fields[f"{prefix}_value"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=CRITICAL_CHOICES if criterion.is_critical else VALUE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            if criterion.allows_na:
                self.fields[f"{prefix}_na"] = forms.BooleanField(label="N/A", required=False)
            self.fields[f"{prefix}_note"] = forms.CharField(
                label="Note", required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields[f"{prefix}_cause"] = forms.ChoiceField(
                label="If missed, the likely cause",
                choices=Rating.RootCause.choices,
                required=False,
            )
            self.initial.update(
                {
                    f"{prefix}_value": "" if rating.value is None else str(rating.value),
                    f"{prefix}_na": rating.is_na,
                    f"{prefix}_note": rating.note,
                    f"{prefix}_cause": rating.root_cause,
                }
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "rating": rating,
                "value": self[f"c{rating.criterion_id}_value"],
                "na": self[f"c{rating.criterion_id}_na"] if rating.criterion.allows_na else None,
                "note": self[f"c{rating.criterion_id}_note"],
                "cause": self[f"c{rating.criterion_id}_cause"],
            }
            for rating in self.ratings
        ]


class NewReviewForm(forms.Form):
    conversation = forms.IntegerField(widget=forms.HiddenInput)
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.filter(is_active=True))


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="What did the review get wrong?", widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("upheld", "Uphold the review"), ("revised", "Revise the score")],
        widget=forms.RadioSelect,
    )
    new_score = forms.FloatField(
        label="Revised score (0–100)", min_value=0, max_value=100, required=False
    )
    note = forms.CharField(
        label="Explanation to the agent", widget=forms.Textarea(attrs={"rows": 3})
    )


def _reviewers() -> forms.ModelMultipleChoiceField:
    people = holders(Action.REVIEW_QUALITY)
    return forms.ModelMultipleChoiceField(
        queryset=people, widget=Picker("people:person-picker", multiple=True)
    )


class CalibrationForm(forms.Form):
    title = forms.CharField(max_length=200)
    conversation = forms.IntegerField(label="Conversation number")
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.filter(is_active=True))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"] = _reviewers()


class PlanForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(), widget=Picker("people:person-picker")
    )
    title = forms.CharField(max_length=200)
    goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="One goal per line."
    )
    scenarios = forms.ModelMultipleChoiceField(
        label="Practice scenarios",
        queryset=Scenario.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next_check_in = forms.DateField(label="First check-in", widget=DateInput)
    add_action_item = forms.BooleanField(label="Also track it in the action ledger", required=False)

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = coachees(coach)  # type: ignore[attr-defined]
        self.fields["scenarios"].queryset = published_scenarios()  # type: ignore[attr-defined]
        self.fields["next_check_in"].initial = calendar.today() + datetime.timedelta(days=14)


class CheckInForm(forms.Form):
    notes = forms.CharField(label="How is it going?", widget=forms.Textarea(attrs={"rows": 3}))
    next_check_in = forms.DateField(label="Next check-in", widget=DateInput, required=False)
    complete = forms.BooleanField(label="Goals reached: close the plan", required=False)

    def __init__(self, *args: Any, is_coach: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_coach:
            del self.fields["next_check_in"]
            del self.fields["complete"]


class ScoreVerdictForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("confirmed", "Confirm the coach"), ("overturned", "Overturn: the agent is right")]
    )
    note = forms.CharField(max_length=500, required=False, label="Note (optional)")

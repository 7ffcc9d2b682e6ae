"""Pulse pages for everyone (home, answering) and for those who run surveys. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, can, requires
from careloop.people.http import employee
from careloop.pulse.forms import AnswerForm, CustomQuestionForm, SurveyForm, ThresholdForm
from careloop.pulse.models import Round, Survey, SurveyStatus
from careloop.pulse.selectors import feedback360 as feedback_selectors
from careloop.pulse.selectors import ideas as idea_selectors
from careloop.pulse.selectors import surveys as selectors
from careloop.pulse.services import surveys as services


@requires(Action.USE_PULSE)
def home(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "pulse/home.html",
        {
            "rounds": selectors.rounds_to_answer(user),
            "my_ideas": idea_selectors.my_ideas(user)[:5],
            "feedback_to_give": feedback_selectors.waiting_for_answer(user),
            "may_run": can(user, Action.RUN_PULSE_SURVEYS),
            "may_see_results": can(user, Action.VIEW_PULSE_RESULTS),
            "may_answer_ideas": can(user, Action.ANSWER_IDEAS),
            "may_manage_roster": can(user, Action.MANAGE_ROSTER),
            "overdue_ideas": idea_selectors.overdue_ideas()
            if can(user, Action.ANSWER_IDEAS)
            else [],
        },
    )


@requires(Action.RUN_PULSE_SURVEYS)
def survey_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pulse/survey_list.html", {"surveys": selectors.surveys_for_runners()})


@requires(Action.RUN_PULSE_SURVEYS)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = services.SurveyDraft(
                title=data["title"],
                intro=data["intro"],
                modules=data["modules"],
                allow_comments=data["allow_comments"],
                teams=data["teams"],
                privacy_mode=data["privacy_mode"],
                cadence=data["cadence"],
                first_round_on=data["first_round_on"],
                open_days=data["open_days"],
                reminder_after_days=data["reminder_after_days"],
                min_group_size=data["min_group_size"],
                min_comment_group=data["min_comment_group"],
            )
            survey = services.create_survey(draft, created_by=employee(request))
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Survey saved as a draft. Check it, then launch it.")
            return redirect("pulse:survey", pk=survey.pk)
    return render(request, "pulse/survey_form.html", {"form": form})


@requires(Action.RUN_PULSE_SURVEYS)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    current = selectors.current_round(survey)
    return render(
        request,
        "pulse/survey_detail.html",
        {
            "survey": survey,
            "questions": survey.questions.all(),
            "current": current,
            "participation": selectors.participation(current) if current else None,
            "history": [
                (past, selectors.participation(past))
                for past in survey.rounds.order_by("-number")
                if current is None or past.pk != current.pk
            ],
            "question_form": CustomQuestionForm(),
            "threshold_form": ThresholdForm(
                initial={
                    "min_group_size": survey.min_group_size,
                    "min_comment_group": survey.min_comment_group,
                }
            ),
            "audience": services.audience(survey).count(),
        },
    )


@requires(Action.RUN_PULSE_SURVEYS)
@require_POST
def survey_question(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    form = CustomQuestionForm(request.POST)
    if form.is_valid():
        with refusal_shown(request):
            services.add_custom_question(
                survey,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                by=employee(request),
            )
            messages.success(request, "Question added.")
    else:
        messages.error(request, "A question needs its text and how it is answered.")
    return redirect("pulse:survey", pk=survey.pk)


@requires(Action.RUN_PULSE_SURVEYS)
@require_POST
def survey_thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        with refusal_shown(request):
            services.change_thresholds(survey, by=employee(request), **form.cleaned_data)
            messages.success(request, "Minimum reporting groups saved.")
    else:
        messages.error(request, "The minimum reporting group is at least 3.")
    return redirect("pulse:survey", pk=survey.pk)


@requires(Action.RUN_PULSE_SURVEYS)
@require_POST
def survey_launch(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    with refusal_shown(request):
        services.launch_survey(survey, employee(request))
        messages.success(request, "Launched. Everyone asked sees it under Team voice.")
    return redirect("pulse:survey", pk=survey.pk)


@requires(Action.RUN_PULSE_SURVEYS)
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    pulse_round = get_object_or_404(Round, pk=pk)
    services.close_round(pulse_round, employee(request))
    messages.success(request, "Round closed. Its results are ready for groups large enough.")
    return redirect("pulse:survey", pk=pulse_round.survey_id)


@requires(Action.RUN_PULSE_SURVEYS)
@require_POST
def survey_end(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    services.end_survey(survey, employee(request))
    messages.success(request, "Survey ended: no more rounds will open.")
    return redirect("pulse:survey", pk=survey.pk)


@requires(Action.USE_PULSE)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a round. The privacy mode and thresholds are shown before any question."""
    pulse_round = get_object_or_404(Round.objects.select_related("survey"), pk=pk)
    user = employee(request)
    if (
        not selectors.is_invited(pulse_round, user)
        or pulse_round.survey.status == SurveyStatus.DRAFT
    ):
        raise Http404("You were not asked in this round.")
    answered = services.has_answered(pulse_round, user)
    form = AnswerForm(request.POST or None, questions=list(pulse_round.survey.questions.all()))
    if request.method == "POST" and not answered and form.is_valid():
        scores, comments = form.answers()
        try:
            services.submit_response(pulse_round, user, scores, comments)
        except (services.AlreadyAnswered, services.NotInvited) as problem:
            messages.error(request, str(problem))
        except ValidationError as problem:
            form.add_error(None, problem)
            return render(
                request, "pulse/answer.html", _answer_context(pulse_round, form, answered)
            )
        else:
            messages.success(request, "Thank you. Your answers are stored without your name.")
        return redirect("pulse:home")
    return render(request, "pulse/answer.html", _answer_context(pulse_round, form, answered))


def _answer_context(pulse_round: Round, form: AnswerForm, answered: bool) -> dict[str, object]:
    return {
        "round": pulse_round,
        "survey": pulse_round.survey,
        "form": form,
        "answered": answered,
        "is_open": pulse_round.is_open(),
    }

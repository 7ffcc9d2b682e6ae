"""Calibration sessions and coaching plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.coaching import selectors
from careloop.coaching.forms import CalibrationForm, CheckInForm, PlanForm
from careloop.coaching.models import CalibrationSession, CoachingPlan, QAReview
from careloop.coaching.services import calibration, plans
from careloop.conversations.models import Conversation
from careloop.core.http import refusal_shown, refusal_text
from careloop.core.permissions import Action, can, requires
from careloop.people.http import employee


@requires(Action.REVIEW_QUALITY)
def calibration_list(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "coaching/calibration_list.html",
        {
            "sessions": selectors.calibration_sessions_for(user),
            "may_manage": can(user, Action.MANAGE_COACHING),
        },
    )


@requires(Action.MANAGE_COACHING)
def calibration_create(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    form = CalibrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conversation = Conversation.objects.filter(pk=form.cleaned_data["conversation"]).first()
        if conversation is None:
            form.add_error("conversation", "No conversation with this number.")
        else:
            try:
                session = calibration.create_calibration(
                    title=form.cleaned_data["title"],
                    conversation=conversation,
                    rubric=form.cleaned_data["rubric"],
                    facilitator=user,
                    reviewers=form.cleaned_data["reviewers"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Calibration session ready; reviewers score blind.")
                return redirect("coaching:calibration", pk=session.pk)
    return render(request, "coaching/calibration_form.html", {"form": form})


def _visible_session(request: HttpRequest, pk: int) -> CalibrationSession:
    session = get_object_or_404(
        CalibrationSession.objects.select_related("conversation", "rubric", "facilitator"), pk=pk
    )
    if not selectors.may_see_calibration(employee(request), session):
        raise Http404("No such calibration session.")
    return session


@requires(Action.REVIEW_QUALITY)
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    session = _visible_session(request, pk)
    reviewers = list(session.reviewers.order_by("full_name"))
    submitted = set(
        session.reviews.exclude(status=QAReview.Status.DRAFT).values_list("reviewer_id", flat=True)
    )
    return render(
        request,
        "coaching/calibration_detail.html",
        {
            "session": session,
            "reviewers": [(person, person.pk in submitted) for person in reviewers],
            "my_review": session.reviews.filter(reviewer=user).first(),
            "is_reviewer": any(person.pk == user.pk for person in reviewers),
            "may_reveal": not session.is_revealed
            and (user.pk == session.facilitator_id or can(user, Action.MANAGE_COACHING)),
            "spread": selectors.calibration_spread(session) if session.is_revealed else None,
        },
    )


@requires(Action.REVIEW_QUALITY)
@require_POST
def calibration_score(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    try:
        review = calibration.review_for(session, employee(request))
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("coaching:calibration", pk=session.pk)
    return redirect("coaching:review-score", pk=review.pk)


@requires(Action.MANAGE_COACHING)
@require_POST
def calibration_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    with refusal_shown(request):
        calibration.reveal(session, by=employee(request))
    return redirect("coaching:calibration", pk=session.pk)


@requires(Action.USE_COACHING)
def plan_list(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "coaching/plan_list.html",
        {"plans": selectors.plans_for(user), "may_manage": can(user, Action.MANAGE_COACHING)},
    )


@requires(Action.MANAGE_COACHING)
def plan_create(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    form = PlanForm(request.POST or None, coach=user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            draft = plans.CoachingPlanDraft(**form.cleaned_data)
            plan = plans.create_plan(draft, coach=user)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, str(error) if isinstance(error, PermissionDenied) else error)
        else:
            messages.success(request, "Coaching plan agreed.")
            return redirect("coaching:plan", pk=plan.pk)
    return render(request, "coaching/plan_form.html", {"form": form})


@requires(Action.USE_COACHING)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    plan = get_object_or_404(CoachingPlan.objects.select_related("person", "coach"), pk=pk)
    if not selectors.may_see_plan(user, plan):
        raise Http404("No such plan.")
    is_coach = user.pk != plan.person_id
    form = CheckInForm(request.POST or None, is_coach=is_coach)
    if request.method == "POST" and form.is_valid():
        try:
            plans.record_check_in(plan, by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Check-in saved.")
            return redirect("coaching:plan", pk=plan.pk)
    progress = selectors.progress_for(plan.person)
    practised = {summary.attempt.scenario_id for summary in progress.attempts}
    return render(
        request,
        "coaching/plan_detail.html",
        {
            "plan": plan,
            "scenarios": [(s, s.pk in practised) for s in plan.scenarios.all()],
            "check_ins": plan.check_ins.select_related("author"),
            "form": form,
            "is_person": user.pk == plan.person_id,
        },
    )

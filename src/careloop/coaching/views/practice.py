from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.coaching import selectors
from careloop.coaching.forms import PracticeReplyForm, ScenarioForm, TurnFormSet
from careloop.coaching.models import PracticeAttempt, Scenario
from careloop.coaching.services import practice
from careloop.core.audit import record_audit
from careloop.core.http import refusal_shown, refusal_text
from careloop.core.permissions import Action, can, requires
from careloop.core.whole_numbers import parse_whole_number
from careloop.people.http import employee
from careloop.people.models import User


@requires(Action.USE_COACHING)
def home(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    progress = selectors.progress_for(user)
    return render(
        request,
        "coaching/home.html",
        {
            "scenarios": selectors.published_scenarios(),
            "progress": progress,
            "recent_attempts": progress.attempts[:5],
            "reviews": selectors.reviews_of(user)[:5],
            "plans": selectors.plans_for(user),
            "coachees": selectors.coachees(user),
            "disputes": selectors.open_disputes_for(user),
            "score_disputes": selectors.score_disputes_to_review(user).count(),
            "may_manage": can(user, Action.MANAGE_COACHING),
        },
    )


@requires(Action.MANAGE_COACHING)
def scenario_list(request: HttpRequest) -> HttpResponse:
    return render(request, "coaching/scenario_list.html", {"scenarios": selectors.all_scenarios()})


def _save_scenario(request: HttpRequest, scenario: Scenario | None) -> HttpResponse:
    form = ScenarioForm(request.POST or None, instance=scenario)
    formset = TurnFormSet(request.POST or None, instance=scenario or Scenario())
    valid = request.method == "POST" and form.is_valid() and formset.is_valid()
    turn_error = ""
    if valid and scenario is not None and formset.deleted_forms and scenario.attempts.exists():
        # Past attempts point at their turns; removing one would erase someone's practice.
        turn_error = "Trainees have practised this scenario: archive it and write a new one."
        valid = False
    if valid:
        with transaction.atomic():
            saved = form.save(commit=False)
            if saved.pk is None:
                saved.created_by = employee(request)
            saved.save()
            formset.instance = saved
            for index, turn in enumerate(formset.save(commit=False)):
                if turn.pk is None:
                    turn.position = 1000 + index
                turn.save()
            for deleted in formset.deleted_objects:
                deleted.delete()
            practice.renumber_turns(saved)
        messages.success(request, "Scenario saved.")
        return redirect("coaching:scenario", pk=saved.pk)
    return render(
        request,
        "coaching/scenario_form.html",
        {"form": form, "formset": formset, "scenario": scenario, "turn_error": turn_error},
    )


@requires(Action.MANAGE_COACHING)
def scenario_create(request: HttpRequest) -> HttpResponse:
    return _save_scenario(request, None)


@requires(Action.MANAGE_COACHING)
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_scenario(request, get_object_or_404(Scenario, pk=pk))


@requires(Action.MANAGE_COACHING)
def scenario_from_conversation(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    if request.method == "POST":
        conversation = get_object_or_404(
            selectors.reviewable_conversations(user),
            pk=parse_whole_number(request.POST.get("conversation"), default=0),
        )
        try:
            scenario = practice.draft_scenario_from_conversation(conversation, by=user)
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, "Draft ready: review the anonymised turns, then publish.")
            return redirect("coaching:scenario-edit", pk=scenario.pk)
    conversations = selectors.reviewable_conversations(user)[:30]
    return render(
        request, "coaching/scenario_from_conversation.html", {"conversations": conversations}
    )


@requires(Action.USE_COACHING)
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    may_manage = can(request.user, Action.MANAGE_COACHING)
    if scenario.status != Scenario.Status.PUBLISHED and not may_manage:
        raise Http404("No such scenario.")
    return render(
        request,
        "coaching/scenario_detail.html",
        {"scenario": scenario, "turns": scenario.turns.all(), "may_manage": may_manage},
    )


@requires(Action.MANAGE_COACHING)
@require_POST
def scenario_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    with refusal_shown(request):
        if request.POST.get("archive"):
            practice.archive_scenario(scenario, by=employee(request))
            messages.success(request, "Scenario archived.")
        else:
            practice.publish_scenario(scenario, by=employee(request))
            messages.success(request, "Published: trainees can practise it now.")
    return redirect("coaching:scenario", pk=scenario.pk)


@requires(Action.USE_COACHING)
@require_POST
def attempt_start(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    try:
        attempt = practice.start_attempt(scenario, employee(request))
    except ValidationError:
        raise Http404("No such scenario.") from None
    return redirect("coaching:attempt", pk=attempt.pk)


def _visible_attempt(request: HttpRequest, pk: int) -> PracticeAttempt:
    attempt = get_object_or_404(
        PracticeAttempt.objects.select_related("scenario", "trainee"), pk=pk
    )
    if not selectors.may_see_attempt(employee(request), attempt):
        raise Http404("No such practice.")
    return attempt


def _attempt_context(
    attempt: PracticeAttempt, user: User, form: PracticeReplyForm
) -> dict[str, object]:
    replies = list(attempt.replies.select_related("turn"))
    return {
        "attempt": attempt,
        "exchanges": [(reply, selectors.feedback_of(reply)) for reply in replies],
        "turn": practice.next_turn(attempt),
        "form": form,
        "is_trainee": attempt.trainee_id == user.pk,
        "turn_count": attempt.scenario.turns.count(),
    }


@requires(Action.USE_COACHING)
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _visible_attempt(request, pk)
    if attempt.trainee_id != request.user.pk:
        record_audit(request.user, "coaching.practice_read", attempt, summary=str(attempt.trainee))
    context = _attempt_context(attempt, employee(request), PracticeReplyForm())
    return render(request, "coaching/attempt.html", context)


@requires(Action.USE_COACHING)
@require_POST
def attempt_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    attempt = _visible_attempt(request, pk)
    form = PracticeReplyForm(request.POST)
    if form.is_valid():
        try:
            practice.submit_reply(attempt, trainee=user, text=form.cleaned_data["reply"])
        except ValidationError as error:
            form.add_error("reply", error)
        else:
            attempt.refresh_from_db()
            form = PracticeReplyForm()
    context = _attempt_context(attempt, user, form)
    if request.headers.get("HX-Request"):
        return render(request, "coaching/_practice.html", context)
    if form.errors:
        return render(request, "coaching/attempt.html", context)
    return redirect("coaching:attempt", pk=attempt.pk)


@requires(Action.USE_COACHING)
def progress(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    viewer = employee(request)
    person = viewer if user_id is None else get_object_or_404(User, pk=user_id)
    if not selectors.may_see_practice_of(viewer, person):
        raise Http404("No such person.")
    if person.pk != viewer.pk:
        record_audit(viewer, "coaching.progress_read", person, summary=person.full_name)
    return render(
        request,
        "coaching/progress.html",
        {"person": person, "progress": selectors.progress_for(person), "is_self": person == viewer},
    )

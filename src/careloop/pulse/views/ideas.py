"""The idea box: anyone sends an idea, named or anonymous, and every idea gets an answer."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, can, requires
from careloop.people.http import employee
from careloop.pulse.forms import FollowUpCodeForm, IdeaForm, IdeaResponseForm
from careloop.pulse.models import Idea, IdeaStatus
from careloop.pulse.selectors import ideas as selectors
from careloop.pulse.services import ideas as services


@requires(Action.USE_PULSE)
def idea_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "pulse/idea_list.html",
        {
            "ideas": selectors.ideas(status),
            "status": status,
            "statuses": IdeaStatus.choices,
            "may_answer": can(request.user, Action.ANSWER_IDEAS),
            "working_days": services.RESPONSE_WORKING_DAYS,
        },
    )


@requires(Action.USE_PULSE)
def idea_create(request: HttpRequest) -> HttpResponse:
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea, code = services.submit_idea(
                title=data["title"],
                body=data["body"],
                team=data["team"],
                anonymous=data["anonymous"],
                author=employee(request),
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            if code is not None:
                # Shown once, in this response only; never stored, logged or put in a URL.
                response = render(request, "pulse/idea_sent.html", {"code": code, "idea": idea})
                response["Cache-Control"] = "no-store"
                return response
            messages.success(
                request,
                f"Thank you. You will have an answer by {idea.respond_by:%-d %B}.",
            )
            return redirect("pulse:idea", pk=idea.pk)
    return render(
        request,
        "pulse/idea_form.html",
        {"form": form, "working_days": services.RESPONSE_WORKING_DAYS},
    )


@requires(Action.USE_PULSE)
def idea_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("author", "team", "responded_by"), pk=pk)
    may_answer = can(request.user, Action.ANSWER_IDEAS)
    initial = {"status": idea.status, "response": idea.response} if idea.is_answered else None
    return render(
        request,
        "pulse/idea_detail.html",
        {
            "idea": idea,
            "may_answer": may_answer,
            "form": IdeaResponseForm(initial=initial) if may_answer else None,
        },
    )


@requires(Action.ANSWER_IDEAS)
@require_POST
def idea_respond(request: HttpRequest, pk: UUID) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    form = IdeaResponseForm(request.POST)
    if form.is_valid():
        with refusal_shown(request):
            services.respond_to_idea(idea, by=employee(request), **form.cleaned_data)
            messages.success(request, "Answer sent. The person who sent the idea can read it now.")
    else:
        messages.error(request, "Choose an answer and say why.")
    return redirect("pulse:idea", pk=idea.pk)


@requires(Action.USE_PULSE)
def idea_follow_up(request: HttpRequest) -> HttpResponse:
    """An anonymous submitter reads the answer with their code, sent in the POST body."""
    if request.method != "POST":
        return render(request, "pulse/idea_follow_up.html", {"form": FollowUpCodeForm()})
    form = FollowUpCodeForm(request.POST)
    idea = services.idea_for_code(form.data.get("code", "")) if form.is_valid() else None
    response = render(
        request,
        "pulse/idea_follow_up.html",
        {"form": form, "idea": idea, "unknown_code": idea is None},
        status=200 if idea is not None or not form.is_valid() else 404,
    )
    response["Cache-Control"] = "no-store"
    return response

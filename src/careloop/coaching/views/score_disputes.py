"""The lead's queue of disputed coach scores: confirm the coach or overturn it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.coaching import selectors
from careloop.coaching.forms import ScoreVerdictForm
from careloop.coaching.services import score_disputes
from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, requires
from careloop.people.http import employee


@requires(Action.REVIEW_SCORE_DISPUTES)
def score_dispute_list(request: HttpRequest) -> HttpResponse:
    disputes = selectors.score_disputes_to_review(employee(request))
    return render(
        request,
        "coaching/score_dispute_list.html",
        {"disputes": disputes},
    )


@requires(Action.REVIEW_SCORE_DISPUTES)
@require_POST
def score_dispute_review(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's team's dispute does not exist for this lead (404, as elsewhere).
    dispute = get_object_or_404(selectors.score_disputes_to_review(employee(request)), pk=pk)
    form = ScoreVerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Confirm the coach's score or overturn it.")
        return redirect("coaching:score-disputes")
    with refusal_shown(request):
        verdict = score_disputes.review_score_dispute(
            dispute,
            by=employee(request),
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            "Overturned: the next training of the coach learns from it."
            if verdict.outcome == verdict.Outcome.OVERTURNED
            else "The coach's score stands.",
        )
    return redirect("coaching:score-disputes")

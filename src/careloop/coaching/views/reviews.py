from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.coaching import selectors
from careloop.coaching.forms import (
    CriterionFormSet,
    DisputeForm,
    NewReviewForm,
    RatingsForm,
    ResolveForm,
    RubricForm,
)
from careloop.coaching.models import Dispute, QAReview, Rubric
from careloop.coaching.services import reviews, rubrics
from careloop.coaching.services.reviews import RatingInput
from careloop.core.audit import audit_events_for, record_audit
from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, can, requires
from careloop.people.http import employee


@requires(Action.USE_COACHING)
def review_list(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "coaching/review_list.html",
        {
            "mine": selectors.reviews_of(user),
            "written": selectors.reviews_written_by(user)[:50],
            "team": selectors.reviews_of_coachees(user)[:50],
            "disputes": selectors.open_disputes_for(user),
            "may_review": can(user, Action.REVIEW_QUALITY),
        },
    )


@requires(Action.REVIEW_QUALITY)
def review_create(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    conversations = selectors.reviewable_conversations(user)
    form = NewReviewForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        conversation = conversations.filter(pk=form.cleaned_data["conversation"]).first()
        if conversation is None:
            form.add_error(None, "Choose a solved conversation from your team.")
        else:
            try:
                review = reviews.create_review(
                    conversation=conversation, rubric=form.cleaned_data["rubric"], reviewer=user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("coaching:review-score", pk=review.pk)
    return render(
        request,
        "coaching/review_new.html",
        {"form": form, "conversations": conversations[:30]},
    )


def _visible_review(request: HttpRequest, pk: int) -> QAReview:
    review = get_object_or_404(
        QAReview.objects.select_related(
            "agent", "reviewer", "rubric", "conversation", "calibration"
        ),
        pk=pk,
    )
    if not selectors.may_see_review(employee(request), review):
        raise Http404("No such review.")
    return review


@requires(Action.USE_COACHING)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    review = _visible_review(request, pk)
    if user.pk not in (review.agent_id, review.reviewer_id):
        record_audit(user, "coaching.qa_review_read", review, summary=str(review.agent))
    open_dispute = review.disputes.filter(outcome=Dispute.Outcome.OPEN).first()
    return render(
        request,
        "coaching/review_detail.html",
        {
            "review": review,
            "ratings": review.ratings.select_related("criterion"),
            "disputes": review.disputes.select_related("raised_by", "resolved_by"),
            "open_dispute": open_dispute,
            "is_agent": user.pk == review.agent_id and review.calibration_id is None,
            "may_resolve": open_dispute is not None and selectors.may_resolve_dispute(user, review),
            "dispute_form": DisputeForm(),
            "resolve_form": ResolveForm(),
            "history": audit_events_for(review)[:20],
            "shows_autoqa": selectors.may_see_reply_scores_of(user, review.agent),
        },
    )


@requires(Action.REVIEW_QUALITY)
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    review = _visible_review(request, pk)
    if review.reviewer_id != user.pk or review.status != QAReview.Status.DRAFT:
        return redirect("coaching:review", pk=review.pk)
    form = RatingsForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = {
            rating.criterion_id: RatingInput(
                value=data.get(f"c{rating.criterion_id}_value"),
                is_na=bool(data.get(f"c{rating.criterion_id}_na")),
                note=data.get(f"c{rating.criterion_id}_note", ""),
                root_cause=data.get(f"c{rating.criterion_id}_cause", ""),
            )
            for rating in form.ratings
        }
        try:
            reviews.save_ratings(
                review,
                by=user,
                ratings=given,
                strengths=data["strengths"],
                to_grow=data["to_grow"],
            )
            if "submit" in request.POST:
                reviews.submit_review(review, by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if review.calibration_id is not None:
                messages.success(request, "Your blind score is in.")
                return redirect("coaching:calibration", pk=review.calibration_id)
            if "submit" in request.POST:
                messages.success(request, "Review shared with the agent.")
                return redirect("coaching:review", pk=review.pk)
            messages.success(request, "Draft saved.")
            return redirect("coaching:review-score", pk=review.pk)
    return render(
        request,
        "coaching/review_score.html",
        {
            "review": review,
            "form": form,
            "shows_autoqa": selectors.may_see_reply_scores_of(user, review.agent),
        },
    )


@requires(Action.USE_COACHING)
@require_POST
def review_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    with refusal_shown(request):
        reviews.acknowledge_review(review, by=employee(request))
        messages.success(request, "Thanks: review acknowledged.")
    return redirect("coaching:review", pk=review.pk)


@requires(Action.USE_COACHING)
@require_POST
def review_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what you think the review got wrong.")
        return redirect("coaching:review", pk=review.pk)
    with refusal_shown(request):
        reviews.dispute_review(review, by=employee(request), reason=form.cleaned_data["reason"])
        messages.success(request, "Dispute sent. A lead will look at it with you.")
    return redirect("coaching:review", pk=review.pk)


@requires(Action.REVIEW_QUALITY)
@require_POST
def review_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    review = _visible_review(request, pk)
    dispute = review.disputes.filter(outcome=Dispute.Outcome.OPEN).first()
    if dispute is None:
        raise Http404("No open dispute.")
    if not selectors.may_resolve_dispute(user, review):
        raise PermissionDenied("The reviewer or another lead resolves a dispute.")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an outcome and explain it.")
        return redirect("coaching:review", pk=review.pk)
    with refusal_shown(request):
        reviews.resolve_dispute(
            dispute,
            by=user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            new_score=form.cleaned_data["new_score"],
        )
        messages.success(request, f"Dispute resolved: {dispute.get_outcome_display()}.")
    return redirect("coaching:review", pk=review.pk)


@requires(Action.MANAGE_COACHING)
def rubric_list(request: HttpRequest) -> HttpResponse:
    rubric_rows = Rubric.objects.prefetch_related("criteria")
    return render(request, "coaching/rubric_list.html", {"rubrics": rubric_rows})


@requires(Action.MANAGE_COACHING)
def rubric_create(request: HttpRequest) -> HttpResponse:
    form = RubricForm(request.POST or None)
    formset = CriterionFormSet(request.POST or None, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        criteria = [
            rubrics.CriterionInput(
                name=row.get("name", ""),
                description=row.get("description", ""),
                weight=row.get("weight") or 1,
                allows_na=bool(row.get("allows_na")),
                is_critical=bool(row.get("is_critical")),
                autoqa=row.get("autoqa", ""),
            )
            for row in formset.cleaned_data
            if row
        ]
        try:
            rubrics.create_rubric(by=employee(request), criteria=criteria, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Rubric saved.")
            return redirect("coaching:rubrics")
    return render(request, "coaching/rubric_form.html", {"form": form, "formset": formset})


@requires(Action.MANAGE_COACHING)
@require_POST
def rubric_retire(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = get_object_or_404(Rubric, pk=pk)
    rubrics.retire_rubric(rubric, by=employee(request))
    messages.success(request, f"“{rubric.name}” retired.")
    return redirect("coaching:rubrics")

"""Learning review pages and anonymous reporting. Thin: parse, call a service, render.

The anonymous report views never log, store or pass on who is signed in: they need a session
only to keep the pages inside the staff area.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.permissions import Action, can, may, requires
from careloop.learning import selectors, services
from careloop.learning.forms import (
    ActionItemForm,
    AnonymousReportForm,
    FactorFormSet,
    FollowUpCodeForm,
    ProcessFeedbackForm,
    PublishForm,
    ReviewForm,
    ThreadReplyForm,
    TimelineFormSet,
)
from careloop.learning.models import AnonymousReport, LearningReview, ParticipantRole
from careloop.people.http import employee


# Object-level refusals answer 404, as in the action ledger: a review not shared with someone
# does not exist for them.
def _visible_review(request: HttpRequest, pk: int) -> LearningReview:
    review = get_object_or_404(LearningReview, pk=pk)
    if not selectors.may_view(employee(request), review):
        raise Http404("No such review.")
    return review


@requires(Action.USE_LEARNING)
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = selectors.visible_reviews(employee(request)).select_related("team", "facilitator")
    return render(
        request,
        "learning/review_list.html",
        {"reviews": reviews, "may_facilitate": can(request.user, Action.FACILITATE_LEARNING)},
    )


@requires(Action.USE_LEARNING)
def review_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request, LearningReview(facilitator=employee(request), team=employee(request).team)
    )


@requires(Action.USE_LEARNING)
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    if not may(employee(request), Action.FACILITATE_REVIEW, review) or review.is_published:
        raise Http404("Only the facilitator edits a review, and only before it is published.")
    return _edit(request, review)


def _edit(request: HttpRequest, review: LearningReview) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = (
        {
            "participants": [
                p.person_id for p in review.participants.exclude(role=ParticipantRole.REVIEWER)
            ],
            "reviewers": [
                p.person_id for p in review.participants.filter(role=ParticipantRole.REVIEWER)
            ],
        }
        if review.pk
        else {}
    )
    form = ReviewForm(data, instance=review, initial=initial)
    timeline = TimelineFormSet(data, instance=review, prefix="timeline")
    factors = FactorFormSet(data, instance=review, prefix="factors")
    if data is not None and form.is_valid() and timeline.is_valid() and factors.is_valid():
        with transaction.atomic():
            review = form.save()
            timeline.instance = factors.instance = review
            timeline.save()
            factors.save()
            involved = list(form.cleaned_data["participants"])
            reviewers = list(form.cleaned_data["reviewers"])
            review.participants.exclude(person__in=involved + reviewers).delete()
            for person in involved:
                services.add_participant(review, person, ParticipantRole.INVOLVED)
            for person in reviewers:
                services.add_participant(review, person, ParticipantRole.REVIEWER)
        flags = services.blame_flags(review)
        if flags:
            messages.warning(
                request, f"Saved. The blame coach flagged {len(flags)} passage(s) to reframe."
            )
        else:
            messages.success(request, "Saved.")
        return redirect("learning:review", pk=review.pk)
    return render(
        request,
        "learning/review_form.html",
        {"form": form, "timeline": timeline, "factors": factors, "review": review},
    )


@requires(Action.USE_LEARNING)
@require_POST
def blame_check(request: HttpRequest) -> HttpResponse:
    """The live coach next to the review form: flags blame language in the draft as it is typed."""
    post = request.POST
    texts = [("Summary", post.get("summary", "")), ("Impact", post.get("impact", ""))]
    texts += [
        (f"Timeline {post.get(key.replace('-known', '-at'), '')}", post.get(key, ""))
        for key in post
        if key.startswith("timeline-") and key.endswith("-known")
    ]
    texts += [
        ("Contributing factor", post.get(key, ""))
        for key in post
        if key.startswith("factors-") and key.endswith("-description")
    ]
    texts.append(("What went wrong", post.get("went_wrong", "")))
    flags = services.blame_flags_in(texts)
    return render(request, "learning/_blame_flags.html", {"flags": flags, "live": True})


@requires(Action.USE_LEARNING)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    user = employee(request)
    facilitating = may(user, Action.FACILITATE_REVIEW, review)
    return render(
        request,
        "learning/review_detail.html",
        {
            "review": review,
            "flags": services.blame_flags(review),
            "recurrences": selectors.recurrences(review),
            "action_items": selectors.action_items_for(review),
            "openable_action_items": selectors.openable_action_item_ids(user, review),
            "participants": review.participants.select_related("person"),
            "facilitating": facilitating,
            "feedback": services.process_feedback_summary(review) if facilitating else None,
            "batch": services.MIN_FEEDBACK_BATCH,
            "may_rate": services.may_give_process_feedback(user, review)
            and not services.has_given_process_feedback(user, review),
            "publish_form": PublishForm(),
            "action_form": ActionItemForm(initial={"owner": user.pk}),
            # A review's fix may become an initiative whose effect is measured (initiatives).
            "may_promote": can(user, Action.MANAGE_INITIATIVES),
        },
    )


@requires(Action.USE_LEARNING)
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    services.submit_for_review(review, employee(request))
    messages.success(request, "The review is open for reviewers.")
    return redirect("learning:review", pk=review.pk)


@requires(Action.USE_LEARNING)
@require_POST
def review_publish(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    form = PublishForm(request.POST)
    acknowledge = form.is_valid() and form.cleaned_data["acknowledge_flags"]
    try:
        services.publish_review(review, employee(request), acknowledge_flags=acknowledge)
    except services.UnresolvedBlameFlags as problem:
        messages.error(request, f"Not published: {problem} Reframe them, or acknowledge them.")
    else:
        messages.success(request, "Published.")
    return redirect("learning:review", pk=review.pk)


@requires(Action.USE_LEARNING)
@require_POST
def review_action_item(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    if not may(employee(request), Action.FACILITATE_REVIEW, review):
        raise PermissionDenied("Only the facilitator adds action items.")
    form = ActionItemForm(request.POST)
    if form.is_valid():
        services.add_action_item(
            review,
            title=form.cleaned_data["title"],
            owner=form.cleaned_data["owner"],
            due=form.cleaned_data["due"],
            by=employee(request),
        )
        messages.success(request, "Action item added to the ledger.")
    else:
        messages.error(request, "The action item needs a title and an owner.")
    return redirect("learning:review", pk=review.pk)


@requires(Action.USE_LEARNING)
def review_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    user = employee(request)
    if not services.may_give_process_feedback(user, review):
        raise Http404("Only participants rate a published review.")
    form = ProcessFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_process_feedback(review, user, form.cleaned_data["safety"])
        except services.AlreadyAnswered as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, "Thank you. Your answer is stored without your name.")
        return redirect("learning:review", pk=review.pk)
    return render(request, "learning/review_feedback.html", {"review": review, "form": form})


# --- anonymous reports --------------------------------------------------------------------


@requires(Action.USE_LEARNING)
def report_create(request: HttpRequest) -> HttpResponse:
    form = AnonymousReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, code = services.file_anonymous_report(
            form.cleaned_data["kind"], form.cleaned_data["body"]
        )
        # The code is shown once, in this response only; it is never stored or logged.
        response = render(request, "learning/report_filed.html", {"code": code})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "learning/report_form.html", {"form": form})


@requires(Action.USE_LEARNING)
def report_follow_up(request: HttpRequest) -> HttpResponse:
    """The reporter's view of their thread. The code travels in the POST body, never the URL."""
    if request.method != "POST":
        return render(request, "learning/report_follow_up.html", {"code_form": FollowUpCodeForm()})
    code_form = FollowUpCodeForm(request.POST)
    report = (
        services.report_for_code(code_form.data.get("code", "")) if code_form.is_valid() else None
    )
    if report is None:
        return render(
            request,
            "learning/report_follow_up.html",
            {"code_form": code_form, "unknown_code": code_form.is_bound},
            status=404 if code_form.is_valid() else 200,
        )
    reply_form = ThreadReplyForm(request.POST if "body" in request.POST else None)
    if reply_form.is_bound and reply_form.is_valid():
        services.follow_up_from_reporter(report, reply_form.cleaned_data["body"])
        reply_form = ThreadReplyForm()
    response = render(
        request,
        "learning/report_follow_up.html",
        {"report": report, "code": code_form.cleaned_data["code"], "reply_form": reply_form},
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.FACILITATE_LEARNING)
def report_inbox(request: HttpRequest) -> HttpResponse:
    reports = AnonymousReport.objects.prefetch_related("replies")
    return render(request, "learning/report_inbox.html", {"reports": reports})


@requires(Action.FACILITATE_LEARNING)
def report_thread(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = get_object_or_404(AnonymousReport, pk=pk)
    form = ThreadReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reply_to_report(report, employee(request), form.cleaned_data["body"])
        messages.success(request, "Reply sent into the anonymous thread.")
        return HttpResponseRedirect(request.path)
    return render(request, "learning/report_thread.html", {"report": report, "form": form})

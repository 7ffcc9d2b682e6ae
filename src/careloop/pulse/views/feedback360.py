"""360° feedback pages: asking, answering, and reading the aggregate (the person, and sharees)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.audit import record_audit
from careloop.core.permissions import Action, requires
from careloop.empathy.rules import Flag
from careloop.people.http import employee
from careloop.pulse.forms import FeedbackAnswerForm, FeedbackRequestForm, ShareForm
from careloop.pulse.models import FeedbackRequest, FeedbackReviewer, Relationship
from careloop.pulse.selectors import feedback360 as selectors
from careloop.pulse.services import feedback360 as services


@requires(Action.USE_PULSE)
def feedback_home(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "pulse/feedback_home.html",
        {
            "requests": selectors.requests_of(user),
            "to_answer": selectors.waiting_for_answer(user),
            "shared": selectors.shared_with(user),
        },
    )


@requires(Action.USE_PULSE)
def feedback_create(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    form = FeedbackRequestForm(request.POST or None, subject=user)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_request = services.request_feedback(
                user,
                form.cleaned_data["reviewers"],
                focus=form.cleaned_data["focus"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Your colleagues are asked. Answers gather here.")
            return redirect("pulse:feedback", pk=feedback_request.pk)
    return render(request, "pulse/feedback_form.html", {"form": form})


def _readable(request: HttpRequest, pk: int) -> FeedbackRequest:
    feedback_request = get_object_or_404(FeedbackRequest.objects.select_related("subject"), pk=pk)
    if not selectors.may_read(employee(request), feedback_request):
        raise Http404("No such feedback.")
    return feedback_request


@requires(Action.USE_PULSE)
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_request = _readable(request, pk)
    user = employee(request)
    is_subject = user.pk == feedback_request.subject_id
    if not is_subject:
        record_audit(user, "pulse.feedback_read", feedback_request, summary="shared 360° feedback")
    return render(
        request,
        "pulse/feedback_detail.html",
        {
            "feedback_request": feedback_request,
            "groups": selectors.feedback_report(feedback_request),
            "is_subject": is_subject,
            "share_form": ShareForm(subject=user) if is_subject else None,
            "shares": feedback_request.shares.select_related("person") if is_subject else [],
        },
    )


def _answer_page(
    request: HttpRequest,
    feedback_request: FeedbackRequest,
    seat: FeedbackReviewer,
    form: FeedbackAnswerForm,
    flags: Sequence[tuple[str, Flag]] = (),
) -> HttpResponse:
    """The answer form, with the blame-language `flags` to reframe above it when there are any."""
    return render(
        request,
        "pulse/feedback_answer.html",
        {
            "feedback_request": feedback_request,
            "seat": seat,
            "form": form,
            "flags": flags,
            "attributed": seat.relationship == Relationship.LEAD,
        },
    )


@requires(Action.USE_PULSE)
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_request = get_object_or_404(FeedbackRequest.objects.select_related("subject"), pk=pk)
    user = employee(request)
    seat = FeedbackReviewer.objects.filter(request=feedback_request, reviewer=user).first()
    if seat is None:
        raise Http404("You were not asked for this feedback.")
    form = FeedbackAnswerForm(request.POST or None)
    if request.method == "POST" and not seat.answered and form.is_valid():
        flags = services.growth_flags(form.cleaned_data)
        if flags and not request.POST.get("send_as_written"):
            return _answer_page(request, feedback_request, seat, form, flags)
        try:
            answer = services.FeedbackAnswerDraft(**form.cleaned_data)
            services.answer_feedback(feedback_request, user, answer)
        except services.AlreadyAnswered as problem:
            messages.error(request, str(problem))
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Thank you. Your feedback is in.")
            return redirect("pulse:feedback-home")
    return _answer_page(request, feedback_request, seat, form)


@requires(Action.USE_PULSE)
@require_POST
def feedback_share(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_request = _readable(request, pk)
    user = employee(request)
    form = ShareForm(request.POST, subject=user)
    if form.is_valid():
        try:
            services.share_feedback(feedback_request, by=user, person=form.cleaned_data["person"])
        except (PermissionDenied, ValidationError) as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"Shared with {form.cleaned_data['person']}.")
    return redirect("pulse:feedback", pk=feedback_request.pk)


@requires(Action.USE_PULSE)
@require_POST
def feedback_close(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_request = _readable(request, pk)
    try:
        services.close_request(feedback_request, by=employee(request))
    except PermissionDenied as problem:
        messages.error(request, str(problem))
    return redirect("pulse:feedback", pk=feedback_request.pk)

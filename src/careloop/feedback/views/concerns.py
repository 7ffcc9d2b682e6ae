"""The concern handlers' pages. Opening a concern is a read written to the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from careloop.core.audit import audit_events_for
from careloop.core.permissions import Action, requires
from careloop.feedback import selectors
from careloop.feedback.forms import ConcernStatusForm, MessageForm
from careloop.feedback.models import Concern
from careloop.feedback.services import concerns
from careloop.people.http import employee


@requires(Action.HANDLE_CONCERNS)
def concern_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "feedback/concern_queue.html",
        {
            "concerns": selectors.concern_queue(status),
            "status": status,
            "statuses": Concern.Status.choices,
            "now": timezone.now(),
        },
    )


@requires(Action.HANDLE_CONCERNS)
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(Concern, pk=pk)
    user = employee(request)
    if request.method == "POST" and "status" in request.POST:
        status_form = ConcernStatusForm(request.POST)
        if status_form.is_valid():
            concerns.set_concern_status(concern, user, status_form.cleaned_data["status"])
            messages.success(request, f"Status: {concern.get_status_display()}.")
        return redirect("feedback:concern", pk=concern.pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concerns.reply_to_concern(concern, user, form.cleaned_data["body"])
        messages.success(request, "Reply added; the customer reads it with their code.")
        return redirect("feedback:concern", pk=concern.pk)
    concerns.read_concern(concern, user)
    response = render(
        request,
        "feedback/concern_detail.html",
        {
            "concern": concern,
            "thread": concern.messages.select_related("author"),
            "form": form,
            "status_form": ConcernStatusForm(initial={"status": concern.status}),
            "reads": audit_events_for(concern).filter(action="concern.read")[:20],
            "now": timezone.now(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response

"""Goodwill pages: thin views over care.services, care.selectors and care.outcomes."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careloop.care import execution, outcomes, selectors, services
from careloop.care.forms import (
    AllowanceForm,
    CareSettingsForm,
    ConversationNumberForm,
    DecisionForm,
    GestureForm,
)
from careloop.care.models import ExecutionStatus, Gesture, GestureStatus
from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.audit import audit_events_for
from careloop.core.http import refusal_text
from careloop.core.permissions import Action, can, may, requires
from careloop.core.whole_numbers import parse_whole_number
from careloop.people.http import employee

REPORT_PERIODS = {
    "90": "Last 90 days",
    "180": "Last 6 months",
    "365": "Last 12 months",
    "730": "Last 2 years",
}


@requires(Action.GRANT_GESTURES)
def home(request: HttpRequest) -> HttpResponse:
    """The agent's goodwill page: find a conversation to grant on, and follow their gestures."""
    user = employee(request)
    form = ConversationNumberForm(request.GET or None)
    if request.GET and form.is_valid():
        number = form.cleaned_data["conversation"]
        if Conversation.objects.filter(pk=number).exists():
            return redirect("care:grant", pk=number)
        form.add_error("conversation", "No conversation has this number.")
    mine = selectors.gestures_by(user)
    return render(
        request,
        "care/home.html",
        {
            "form": form,
            "requests": mine.exclude(status=GestureStatus.GRANTED)[:20],
            "granted": mine.filter(status=GestureStatus.GRANTED)[:20],
            "settings": selectors.care_settings(),
            "may_approve": can(user, Action.APPROVE_GESTURES),
            "waiting": selectors.approval_queue(user).count()
            if can(user, Action.APPROVE_GESTURES)
            else 0,
        },
    )


@requires(Action.GRANT_GESTURES)
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant a gesture on one conversation: instant within the allowance, a request above it."""
    user = employee(request)
    conversation = get_object_or_404(Conversation.objects.select_related("customer", "team"), pk=pk)
    form = GestureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            gesture = services.grant_gesture(
                agent=user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if gesture.status == GestureStatus.GRANTED:
                messages.success(
                    request, f"{gesture.get_kind_display()} granted. No approval needed."
                )
            else:
                messages.info(
                    request,
                    f"{gesture.get_kind_display()} is above the allowance: sent to a lead, "
                    f"who decides by {calendar.local_time(gesture.approval_due):%d %b %H:%M}.",
                )
            return redirect("care:gesture", pk=gesture.pk)
    return render(
        request,
        "care/grant.html",
        {
            "conversation": conversation,
            "form": form,
            "headroom": selectors.headroom_for(user, conversation),
            "settings": selectors.care_settings(),
            "on_conversation": selectors.gestures_on(conversation),
            "earlier": selectors.earlier_for_customer(conversation),
        },
    )


@requires(Action.USE_INBOX)
@requires(Action.GRANT_GESTURES)
def conversation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation page's Goodwill panel, which htmx fetches once the page has shown:
    what was granted on the conversation and for its customer, and what the agent may grant."""
    user = employee(request)
    conversation = get_object_or_404(Conversation.objects.select_related("customer", "team"), pk=pk)
    return render(
        request,
        "care/_conversation_panel.html",
        {
            "conversation": conversation,
            "gestures": list(selectors.gestures_on(conversation)),
            "earlier": list(selectors.earlier_for_customer(conversation)),
            "headroom": selectors.headroom_for(user, conversation),
            "settings": selectors.care_settings(),
        },
    )


@requires(Action.GRANT_GESTURES)
def gesture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    gesture = get_object_or_404(selectors.visible_to(user), pk=pk)
    may_decide = gesture.is_pending and may(user, Action.APPROVE_GESTURES, gesture)
    return render(
        request,
        "care/gesture.html",
        {
            "gesture": gesture,
            "may_decide": may_decide,
            "decision_form": DecisionForm() if may_decide else None,
            "may_retry": gesture.execution_status == ExecutionStatus.FAILED
            and can(user, Action.APPROVE_GESTURES),
            "trail": audit_events_for(gesture)[:50],
        },
    )


@requires(Action.APPROVE_GESTURES)
def approvals(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "care/approvals.html",
        {
            "queue": selectors.approval_queue(user),
            "decided": selectors.recently_decided(user),
            "decision_form": DecisionForm(),
        },
    )


@requires(Action.APPROVE_GESTURES)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    gesture = get_object_or_404(selectors.visible_to(user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
        return redirect("care:approvals")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_gesture(
            gesture, lead=user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        verb = "Approved" if approve else "Declined"
        messages.success(request, f"{verb}: {gesture.get_kind_display()} for {gesture.customer}.")
    return redirect("care:approvals")


@requires(Action.MANAGE_ALLOWANCES)
def allowances(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    may_edit_defaults = selectors.may_edit_defaults(user)
    current = selectors.care_settings()
    settings_form = CareSettingsForm(
        request.POST if "settings" in request.POST else None, instance=current, prefix="settings"
    )
    allowance_form = AllowanceForm(
        request.POST if "override" in request.POST else None, lead=user, prefix="override"
    )
    if request.method == "POST":
        try:
            if "settings" in request.POST and may_edit_defaults and settings_form.is_valid():
                defaults = services.CareDefaults(**settings_form.cleaned_data)
                services.update_care_settings(defaults, by=user)
                messages.success(request, "Organisation defaults saved.")
                return redirect("care:allowances")
            if "override" in request.POST and allowance_form.is_valid():
                services.set_allowance(by=user, **allowance_form.cleaned_data)
                messages.success(request, "Allowance saved.")
                return redirect("care:allowances")
            if "remove" in request.POST:
                allowance = get_object_or_404(
                    selectors.allowance_overrides_for(user),
                    pk=parse_whole_number(request.POST.get("remove"), default=0),
                )
                services.remove_allowance(allowance, by=user)
                messages.success(request, "Back to the defaults.")
                return redirect("care:allowances")
            if "rotate" in request.POST:
                services.rotate_webhook_secret(by=user)
                messages.success(request, "A new webhook secret is in use.")
                return redirect("care:allowances")
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
    return render(
        request,
        "care/allowances.html",
        {
            "settings": current,
            "settings_form": settings_form,
            "allowance_form": allowance_form,
            "overrides": selectors.allowance_overrides_for(user),
            "may_edit_defaults": may_edit_defaults,
        },
    )


@requires(Action.APPROVE_GESTURES)
def outcome_report(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    now = timezone.now()
    days = request.GET.get("days", "365")
    if days not in REPORT_PERIODS:
        days = "365"
    since = now - datetime.timedelta(days=int(days))
    shown = list(
        outcomes.reportable(selectors.visible_to(user)).filter(created_at__gte=since)[:1000]
    )
    found = outcomes.follow_ups(shown, now)
    return render(
        request,
        "care/outcomes.html",
        {
            "rows": outcomes.outcome_rows(shown, found),
            "baselines": outcomes.baselines(shown, now),
            "gestures": [(gesture, found[gesture.pk]) for gesture in shown[:200]],
            "settings": selectors.care_settings(),
            "periods": REPORT_PERIODS.items(),
            "days": days,
        },
    )


@requires(Action.APPROVE_GESTURES)
def reconciliation(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    state = request.GET.get("state", "")
    page = Paginator(selectors.reconciliation(user, state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/reconciliation.html",
        {
            "page": page,
            "state": state,
            "states": [
                (value, label)
                for value, label in ExecutionStatus.choices
                if value not in (ExecutionStatus.NOT_YET, ExecutionStatus.BY_HAND)
            ],
            "counts": selectors.execution_counts(user),
        },
    )


@requires(Action.APPROVE_GESTURES)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    gesture: Gesture = get_object_or_404(selectors.visible_to(user), pk=pk)
    try:
        execution.retry(gesture, by=user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, "Sent again for execution.")
    return redirect("care:reconciliation")


@requires(Action.APPROVE_GESTURES)
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    gesture = get_object_or_404(selectors.visible_to(user), pk=pk)
    try:
        execution.resolve_by_hand(gesture, by=user, reference=request.POST.get("reference", ""))
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, "Marked executed by hand.")
    return redirect("care:reconciliation")

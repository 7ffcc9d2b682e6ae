from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from careloop.actions import selectors, services
from careloop.actions.forms import (
    ActionItemForm,
    AgendaItemForm,
    FeedbackSessionForm,
    SessionRecordForm,
    StatusForm,
)
from careloop.actions.models import ActionItem, FeedbackSession
from careloop.core.permissions import Action, can, requires, scopes_for
from careloop.people.http import employee


@requires(Action.USE_ACTIONS)
def ledger(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    scopes = [(s.value, s.label) for s in scopes_for(user, Action.SEE_ACTION_ITEMS)]
    scope = request.GET.get("scope", "mine")
    if scope not in dict(scopes):
        scope = "mine"
    status = request.GET.get("status", "")
    items = selectors.ledger_for(user, scope=scope, status=status)
    return render(
        request,
        "actions/ledger.html",
        {
            "page": Paginator(items, 50).get_page(request.GET.get("page")),
            "scopes": scopes,
            "scope": scope,
            "statuses": ActionItem.Status.choices,
            "status": status,
            "overdue_for_team": selectors.overdue_for_lead(user),
        },
    )


@requires(Action.USE_ACTIONS)
def item_create(request: HttpRequest) -> HttpResponse:
    form = ActionItemForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        item = services.create_action_item(
            services.ActionItemDraft(
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                source_kind=ActionItem.SourceKind.OTHER,
                kind=form.cleaned_data["kind"],
                due=form.cleaned_data["due"],
                recheck_on=form.cleaned_data["recheck_on"],
            ),
            created_by=employee(request),
        )
        messages.success(request, "Action item added to the ledger.")
        return redirect("actions:item", item_id=item.pk)
    return render(request, "actions/item_form.html", {"form": form})


@requires(Action.USE_ACTIONS)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = employee(request)
    item = get_object_or_404(ActionItem.objects.select_related("owner", "created_by"), pk=item_id)
    if not selectors.can_see_item(user, item):
        raise Http404("No such action item.")
    form = StatusForm(
        request.POST or None,
        initial={"status": item.status, "recheck_on": item.recheck_on, "evidence": item.evidence},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(item, by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Status: {item.get_status_display()}.")
            return redirect("actions:item", item_id=item.pk)
    return render(
        request,
        "actions/item_detail.html",
        # An item may become an initiative whose effect is measured (initiatives app).
        {"item": item, "form": form, "may_promote": can(user, Action.MANAGE_INITIATIVES)},
    )


@requires(Action.USE_ACTIONS)
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.you_said_we_did(), 30).get_page(request.GET.get("page"))
    return render(request, "actions/feed.html", {"page": page})


@requires(Action.USE_ACTIONS)
def sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "actions/sessions.html", {"sessions": selectors.sessions_for(employee(request))}
    )


@requires(Action.USE_ACTIONS)
def session_create(request: HttpRequest) -> HttpResponse:
    form = FeedbackSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = services.create_feedback_session(lead=employee(request), **form.cleaned_data)
        messages.success(request, "Feedback session scheduled.")
        return redirect("actions:session", session_id=session.pk)
    return render(request, "actions/session_form.html", {"form": form})


@requires(Action.USE_ACTIONS)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = employee(request)
    session = get_object_or_404(
        FeedbackSession.objects.select_related("lead", "person", "team"), pk=session_id
    )
    if not selectors.can_see_session(user, session):
        raise Http404("No such feedback session.")
    agenda_form = AgendaItemForm(prefix="agenda")
    record_form = SessionRecordForm(prefix="record", initial={"notes": session.notes})
    if request.method == "POST" and "agenda-text" in request.POST:
        agenda_form = AgendaItemForm(request.POST, prefix="agenda")
        if agenda_form.is_valid():
            services.add_agenda_item(session, author=user, text=agenda_form.cleaned_data["text"])
            messages.success(request, "Added to the agenda.")
            return redirect("actions:session", session_id=session.pk)
    elif request.method == "POST":
        if user.pk != session.lead_id:
            raise PermissionDenied("The session's lead records its notes.")
        record_form = SessionRecordForm(request.POST, prefix="record")
        if record_form.is_valid():
            owner = session.person or user
            titles = record_form.cleaned_data["actions"].splitlines()
            created = services.record_session(
                session,
                by=user,
                notes=record_form.cleaned_data["notes"],
                action_titles=[(title, owner) for title in titles],
            )
            messages.success(
                request, f"Notes saved, {len(created)} action item(s) added to the ledger."
            )
            return redirect("actions:session", session_id=session.pk)
    return render(
        request,
        "actions/session_detail.html",
        {
            "session": session,
            "agenda_items": session.agenda_items.select_related("author"),
            "action_items": selectors.items_from_source(
                ActionItem.SourceKind.FEEDBACK_SESSION, session.pk
            ),
            "agenda_form": agenda_form,
            "record_form": record_form,
            "is_lead": user.pk == session.lead_id,
        },
    )

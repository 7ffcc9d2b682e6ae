"""Staff pages: scores, recovery tasks, the cause backlog and themes. Thin: parse, call, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.views.decorators.http import require_POST

from careloop.core.http import refusal_text
from careloop.core.permissions import Action, can, requires
from careloop.core.whole_numbers import parse_whole_number
from careloop.feedback import selectors, tasks
from careloop.feedback.forms import CloseTaskForm, ContactForm, PromoteCauseForm, ThemeRenameForm
from careloop.feedback.models import CauseTag, RecoveryTask, Theme
from careloop.feedback.services import recovery, theming
from careloop.people.http import employee
from careloop.people.models import Team

PERIODS = (("30", "Last 30 days"), ("90", "Last 90 days"), ("365", "Last 12 months"))


@requires(Action.VIEW_FEEDBACK)
def overview(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "90")
    if period not in dict(PERIODS):
        period = "90"
    team_pk = parse_whole_number(request.GET.get("team"))
    team = Team.objects.filter(pk=team_pk).first() if team_pk is not None else None
    until = timezone.now()
    since = until - datetime.timedelta(days=int(period))
    return render(
        request,
        "feedback/overview.html",
        {
            "periods": PERIODS,
            "period": period,
            "teams": Team.objects.order_by("name"),
            "team": team,
            "card": selectors.score_card(selectors.invitations_between(since, until, team)),
            "own": selectors.score_card(
                selectors.invitations_between(since, until, agent=employee(request))
            ),
            "by_team": selectors.scores_by_team(since, until) if team is None else [],
            "by_month": selectors.scores_by_month(6, team),
            "responses": selectors.recent_responses(team),
            "my_open_tasks": selectors.open_recovery_count(employee(request)),
        },
    )


@requires(Action.VIEW_FEEDBACK)
def recovery_list(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    scopes = selectors.recovery_scopes(user)
    scope = request.GET.get("scope", "mine")
    if scope not in dict(scopes):
        scope = "mine"
    status = request.GET.get("status", "open")
    tasks = selectors.recovery_tasks_for(user, scope=scope, status=status)
    return render(
        request,
        "feedback/recovery_list.html",
        {
            "page": Paginator(tasks, 50).get_page(request.GET.get("page")),
            "scopes": scopes,
            "scope": scope,
            "status": status,
            "statuses": [("open", "Not closed"), *RecoveryTask.Status.choices, ("", "All")],
            "now": timezone.now(),
        },
    )


def _visible_task(request: HttpRequest, pk: int) -> RecoveryTask:
    task = get_object_or_404(
        RecoveryTask.objects.select_related(
            "customer", "owner", "team", "response__conversation", "closed_by"
        ),
        pk=pk,
    )
    if not selectors.can_work_on_task(employee(request), task):
        raise Http404("No such recovery task.")
    return task


@requires(Action.VIEW_FEEDBACK)
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    user = employee(request)
    contact_form = ContactForm(prefix="contact")
    close_form = CloseTaskForm(prefix="close")
    if request.method == "POST" and "contact-note" in request.POST:
        contact_form = ContactForm(request.POST, prefix="contact")
        if contact_form.is_valid():
            try:
                recovery.log_contact(task, by=user, **contact_form.cleaned_data)
            except ValidationError as error:
                contact_form.add_error(None, error)
            else:
                messages.success(request, "Contact logged.")
                return redirect("feedback:recovery", pk=task.pk)
    elif request.method == "POST":
        close_form = CloseTaskForm(request.POST, prefix="close")
        if close_form.is_valid():
            try:
                recovery.close_task(
                    task,
                    by=user,
                    outcome=close_form.cleaned_data["outcome"],
                    note=close_form.cleaned_data["note"],
                    causes=close_form.cause_names(),
                )
            except ValidationError as error:
                close_form.add_error(None, error)
            else:
                messages.success(request, f"Closed: {task.get_outcome_display()}.")
                return redirect("feedback:recovery", pk=task.pk)
    return render(
        request,
        "feedback/recovery_detail.html",
        {
            "task": task,
            "response": task.response,
            "contacts": task.contacts.select_related("by"),
            "contact_form": contact_form,
            "close_form": close_form,
            "cause_names": CauseTag.objects.values_list("name", flat=True),
            "now": timezone.now(),
        },
    )


@requires(Action.VIEW_FEEDBACK)
def cause_backlog(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/causes.html",
        {
            "rows": selectors.cause_backlog(),
            "may_promote": can(request.user, Action.MANAGE_FEEDBACK),
            "promote_form": PromoteCauseForm(initial={"owner": request.user.pk}),
        },
    )


@requires(Action.MANAGE_FEEDBACK)
@require_POST
def promote_cause(request: HttpRequest, pk: int) -> HttpResponse:
    cause = get_object_or_404(CauseTag, pk=pk)
    form = PromoteCauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an owner for the action item.")
        return redirect("feedback:causes")
    try:
        item = recovery.promote_cause(
            cause,
            by=employee(request),
            owner=form.cleaned_data["owner"],
            due=form.cleaned_data["due"],
        )
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("feedback:causes")
    messages.success(request, "The cause is now an item of the action ledger.")
    return redirect("actions:item", item_id=item.pk)


@requires(Action.VIEW_FEEDBACK)
def themes(request: HttpRequest) -> HttpResponse:
    by = "week" if request.GET.get("by") == "week" else "month"
    return render(
        request,
        "feedback/themes.html",
        {
            "by": by,
            "summaries": selectors.theme_summaries(
                include_concerns=can(request.user, Action.HANDLE_CONCERNS),
                by=by,
                periods=8 if by == "week" else 6,
            ),
            "may_rename": can(request.user, Action.MANAGE_FEEDBACK),
        },
    )


@requires(Action.MANAGE_FEEDBACK)
@require_POST
def theme_rename(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme, pk=pk)
    form = ThemeRenameForm(request.POST)
    if form.is_valid():
        theming.rename_theme(theme, form.cleaned_data["label"])
        messages.success(request, f"Theme renamed to “{theme.label}”.")
    else:
        messages.error(request, "A theme needs a name.")
    return redirect("feedback:themes")


@requires(Action.MANAGE_FEEDBACK)
@require_POST
def theme_refresh(request: HttpRequest) -> HttpResponse:
    """Refresh now rather than at the daily run; on a worker when Celery is configured."""
    result = tasks.refresh_themes.enqueue()
    if result.status == TaskResultStatus.SUCCESSFUL:
        counts = result.return_value
        messages.success(
            request,
            f"{counts['joined']} text(s) joined stored themes, {counts['new_themes']} new "
            f"theme(s), {counts['unthemed']} text(s) fit no theme yet.",
        )
    else:
        messages.success(request, "Themes are being refreshed; reload in a minute.")
    return redirect("feedback:themes")

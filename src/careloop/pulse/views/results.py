"""Pulse results for leads and people partners: only what the anonymity rules let through."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.actions.models import ActionItem
from careloop.actions.services import ActionItemDraft, create_action_item
from careloop.core.audit import record_audit
from careloop.core.csv_export import SafeCsvWriter
from careloop.core.permissions import Action, requires, restrict_teams
from careloop.core.replica import reads_from_replica
from careloop.core.whole_numbers import parse_whole_number
from careloop.people.http import employee
from careloop.people.models import Team
from careloop.pulse.models import Survey, SurveyStatus
from careloop.pulse.selectors import results as selectors
from careloop.pulse.selectors import trends
from careloop.pulse.selectors.surveys import current_round, participation, surveys_with_results


@requires(Action.VIEW_PULSE_RESULTS)
def results_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pulse/results_list.html", {"surveys": surveys_with_results()})


def _survey(pk: int) -> Survey:
    return get_object_or_404(Survey.objects.exclude(status=SurveyStatus.DRAFT), pk=pk)


def _pick_report(
    reports: list[selectors.RoundReport], number: str | None
) -> selectors.RoundReport | None:
    chosen = [r for r in reports if str(r.round.number) == number]
    return chosen[0] if chosen else (reports[-1] if reports else None)


def _team_ids(request: HttpRequest) -> list[int]:
    numbers = (parse_whole_number(value) for value in request.GET.getlist("teams"))
    return [number for number in numbers if number is not None]


@requires(Action.VIEW_PULSE_RESULTS)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    user = employee(request)
    reports = selectors.survey_reports(survey)
    report = _pick_report(reports, request.GET.get("round"))
    context: dict[str, object] = {
        "survey": survey,
        "reports": reports,
        "report": report,
        "sees_every_team": selectors.sees_every_team(user),
        "teams": restrict_teams(Team.objects.all(), user, Action.VIEW_CULTURE),
    }
    latest = current_round(survey)
    if latest is not None and not latest.is_closed():
        context["open_round"] = latest
        context["open_participation"] = participation(latest)
    if report is None:
        return render(request, "pulse/results.html", context)
    keys = selectors.keys_visible_to(user, report)
    chosen_teams = _team_ids(request)
    result: selectors.GroupResult | None = None
    refusal = ""
    if chosen_teams:
        if not selectors.may_see_teams(user, chosen_teams):
            refusal = "Leads see their own team and the whole organisation."
        else:
            try:
                result = selectors.filtered_result(survey, report, chosen_teams)
            except selectors.FilterRefused as problem:
                refusal = str(problem)
    else:
        key = request.GET.get("group") or (keys[0] if keys else "")
        result = report.results.get(key) if key in keys else None
    comments = (
        selectors.comments_for(report, result.key) if result and result.comments_reportable else []
    )
    context.update(
        {
            "keys": [report.results[key] for key in keys],
            "result": result,
            "refusal": refusal,
            "chosen_teams": chosen_teams,
            "comments": comments,
            "themes": selectors.comment_themes(comments) if len(comments) >= 3 else [],
            "trend": trends.trend(reports, result.key) if result and not chosen_teams else [],
            "withheld": selectors.withheld_visible_to(user, report),
        }
    )
    shown = result.label if result else refusal or "nothing shown"
    record_audit(
        user, "pulse.results_viewed", survey, summary=f"round {report.round.number}: {shown}"
    )
    return render(request, "pulse/results.html", context)


@requires(Action.VIEW_PULSE_RESULTS)
@require_POST
def plan_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from a low item to an action item in the ledger, owned by whoever clicked."""
    survey = _survey(pk)
    user = employee(request)
    reports = selectors.survey_reports(survey)
    report = _pick_report(reports, request.POST.get("round"))
    key = request.POST.get("group", "")
    if report is None or key not in selectors.keys_visible_to(user, report):
        raise Http404("No such result.")
    result = report.results[key]
    item = next(
        (i for i in result.items if str(i.question.pk) == request.POST.get("question")), None
    )
    if item is None:
        raise Http404("No such question.")
    topic = item.question.construct or item.question.text[:80]
    action_item = create_action_item(
        ActionItemDraft(
            title=f"Act on “{topic}” with {result.label}",
            owner=user,
            source_kind=ActionItem.SourceKind.SURVEY,
            source_id=survey.pk,
            source_label=f"{survey.title}, {report.round.period_label}: {item.question.text}"[:200],
        ),
        created_by=user,
    )
    messages.success(request, "Action item added to the ledger. Give it a date and a plan.")
    return redirect("actions:item", item_id=action_item.pk)


@requires(Action.VIEW_PULSE_RESULTS)
@reads_from_replica
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The aggregates the viewer may see, as CSV: the same suppressed cells as the page."""
    survey = _survey(pk)
    user = employee(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pulse-{survey.pk}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["round", "period", "group", "answers", "question", "mean", "favourable %"])
    for report in selectors.survey_reports(survey):
        for key in selectors.keys_visible_to(user, report):
            result = report.results[key]
            for item in result.items:
                writer.writerow(
                    [
                        report.round.number,
                        report.round.period_label,
                        result.label,
                        result.responses,
                        item.question.text,
                        item.mean,
                        item.favourable,
                    ]
                )
    record_audit(user, "pulse.results_exported", survey, summary=survey.title)
    return response

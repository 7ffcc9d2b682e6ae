"""Insights pages: thin, reading the roll-ups through selectors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from careloop.care.selectors import care_settings
from careloop.core import calendar
from careloop.core.audit import record_audit
from careloop.core.csv_export import SafeCsvWriter
from careloop.core.home import trend
from careloop.core.permissions import Action, can, requires
from careloop.core.replica import reads_from_replica
from careloop.insights import analytics, selectors, services
from careloop.insights.definitions import METRICS
from careloop.insights.forms import AnalyticsForm, DashboardFilterForm, StageForm, TouchpointForm
from careloop.insights.journey import WINDOW_DAYS, journey_map
from careloop.insights.models import JourneyStage, Touchpoint
from careloop.insights.sources import (
    MIN_GROUP,
    TeamCulture,
    culture_by_team,
    culture_sources,
    shown_by_team_and_month,
)
from careloop.people.http import employee
from careloop.people.models import Team, User

CHART_SCRIPT = "vendor/chartjs/chart.umd.js"
# What the charts (and the CSV's "over time" part) show, in order.
SERIES_KEYS = (
    "conversations_created",
    "csat",
    "nps",
    "ces",
    "response_rate",
    "first_response_business_hours",
    "first_response_hours",
    "resolution_business_hours",
    "resolution_hours",
    "sla_attainment",
    "reopen_rate",
    "one_touch_rate",
    "recovery_rate",
    "goodwill_amount",
    "goodwill_csat",
    "goodwill_nps",
)
CULTURE_CHART_MONTHS = 12


@cache
def chart_script_available() -> bool:
    # The page works without the chart library (tables only), e.g. before `npm install`.
    return finders.find(CHART_SCRIPT) is not None


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, selectors.Scope]:
    form = DashboardFilterForm(request.GET or None)
    today = calendar.today()
    if form.is_bound and form.is_valid():
        return form, form.scope(today)
    return form, selectors.Scope(today - datetime.timedelta(days=29), today)


def _rows(board: selectors.Dashboard) -> list[dict[str, object]]:
    values = selectors.figures_of(board)
    currency = care_settings().currency
    return [_metric_row(key, values.get(key), currency, board.change(key)) for key in METRICS]


def _metric_row(
    key: str, value: object, currency: str = "", change: float | None = None
) -> dict[str, object]:
    """One figure with its label, unit and definition, as the metric templates show it."""
    label, unit, text = METRICS[key]
    return {
        "key": key,
        "label": label,
        "unit": currency if unit == "currency" else unit,
        "definition": text,
        "value": value,
        "change": change,
        "trend": trend(change, lower_is_better=key in selectors.LOWER_IS_BETTER),
    }


def _months_back(last: datetime.date, count: int) -> list[datetime.date]:
    months = [calendar.first_of_month(last)]
    while len(months) < count:
        months.insert(0, calendar.previous_month(months[0]))
    return months


@dataclass(frozen=True)
class TeamCultureRow:
    team: Team
    cells: list[TeamCulture | None]  # one per culture source; None when the team has no data


def _team_culture(
    scope: selectors.Scope, teams: list[Team]
) -> tuple[list[TeamCultureRow], dict[str, object]]:
    """Each team's culture measures over the period's months (a table), and per month over
    the year to the period's end (charts: one line a team, a gap where a month had fewer
    people than the privacy minimum). Each source is read once."""
    first_month = calendar.first_of_month(scope.first)
    months = _months_back(scope.last, CULTURE_CHART_MONTHS)
    sources = culture_sources()
    values = {
        key: source.read(min(first_month, months[0]), months[-1]) for key, source in sources.items()
    }
    in_period = {
        key: culture_by_team(value for value in read if value.month >= first_month)
        for key, read in values.items()
    }
    table = [
        TeamCultureRow(team, [in_period[key].get(team.pk) for key in sources]) for team in teams
    ]
    charts = []
    for key, source in sources.items():
        shown = shown_by_team_and_month(value for value in values[key] if value.month >= months[0])
        datasets = [
            {"label": team.name, "data": [shown.get(team.pk, {}).get(month) for month in months]}
            for team in teams
        ]
        charts.append({"key": key, "label": source.label, "datasets": datasets})
    return table, {"labels": [f"{month:%Y-%m}" for month in months], "charts": charts}


@requires(Action.VIEW_INSIGHTS)
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _filters(request)
    # A custom period's retention is counted in a request of its own (`retention_figure`), so
    # the page never waits on it.
    board = selectors.dashboard(scope, wait_for_retention=False)
    team_culture, culture_charts = _team_culture(
        scope, list(selectors.culture_teams(request.user, scope.team_id))
    )
    chart_data = {
        "labels": [start.isoformat() for start, _ in board.series],
        "series": {key: [figures.get(key) for _, figures in board.series] for key in SERIES_KEYS},
        "labelsByKey": {key: label for key, (label, _, _) in METRICS.items()},
    }
    return render(
        request,
        "insights/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "board": board,
            "rows": {row["key"]: row for row in _rows(board)},
            "chart_data": chart_data,
            "series_charts": [(key, METRICS[key][0]) for key in SERIES_KEYS],
            "chart_script": CHART_SCRIPT if chart_script_available() else None,
            "team": Team.objects.filter(pk=scope.team_id).first() if scope.team_id else None,
            "query": request.GET.urlencode(),
            "culture_sources": list(culture_sources().values()),
            "team_culture": team_culture,
            "culture_charts": culture_charts,
            "min_group": MIN_GROUP,
            "may_see_care_outcomes": can(request.user, Action.APPROVE_GESTURES),
        },
    )


@requires(Action.VIEW_INSIGHTS)
@reads_from_replica
def retention_figure(request: HttpRequest) -> HttpResponse:
    """The retention tile of the dashboard, counted now (and cached) for the filters given."""
    _, scope = _filters(request)
    retention = selectors.retention(scope)
    return render(
        request,
        "insights/_retention.html",
        {"row": _metric_row("retention", retention.rate), "retention": retention},
    )


@requires(Action.VIEW_INSIGHTS)
@reads_from_replica
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    _, scope = _filters(request)
    board = selectors.dashboard(scope)
    assert isinstance(request.user, User)
    record_audit(
        request.user, "insights.export", None, summary=f"Dashboard CSV {scope.first}–{scope.last}"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="careloop-insights-{scope.first}-{scope.last}.csv"'
    )
    writer = SafeCsvWriter(response)
    writer.writerow(
        ["metric", "value", "unit", "period start", "period end", "team", "channel", "definition"]
    )
    team = Team.objects.filter(pk=scope.team_id or 0).first()
    for row in _rows(board):
        writer.writerow(
            [
                row["label"],
                "" if row["value"] is None else row["value"],
                row["unit"],
                scope.first,
                scope.last,
                team.name if team else "All teams",
                scope.channel or "All channels",
                row["definition"],
            ]
        )
    # The "over time" table below the figures, one row per week (or month).
    keys = [key for key in SERIES_KEYS if key in METRICS]
    writer.writerow([])
    writer.writerow(["from", *(METRICS[key][0] for key in keys)])
    for start, figures in board.series:
        writer.writerow([start, *("" if figures.get(k) is None else figures[k] for k in keys)])
    # Team culture over the period, as the dashboard's table shows it: hidden cells stay empty.
    table, _ = _team_culture(scope, list(selectors.culture_teams(request.user, scope.team_id)))
    writer.writerow([])
    writer.writerow(["team", *(source.label for source in culture_sources().values())])
    for culture_row in table:
        cells = [
            cell.value if cell and cell.value is not None else "" for cell in culture_row.cells
        ]
        writer.writerow([culture_row.team.name, *cells])
    return response


@requires(Action.VIEW_INSIGHTS)
def definitions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "insights/definitions.html", {"metrics": METRICS, "min_group": MIN_GROUP}
    )


@requires(Action.VIEW_INSIGHTS)
@reads_from_replica
def culture_analytics(request: HttpRequest) -> HttpResponse:
    # Always bound, with the defaults for what was not chosen: the selects show what is computed.
    form = AnalyticsForm({**AnalyticsForm.DEFAULTS, **request.GET.dict()})
    sources = culture_sources()
    defaults = AnalyticsForm.DEFAULTS
    culture_key, outcome_key = defaults["culture"], defaults["outcome"]
    months = int(defaults["months"])
    if form.is_valid():
        culture_key = form.cleaned_data.get("culture") or culture_key
        outcome_key = form.cleaned_data.get("outcome") or outcome_key
        months = form.cleaned_data.get("months") or months
    this_month = calendar.this_month()
    # Culture months up to last month, so each has a following month with outcomes.
    last_month = calendar.previous_month(this_month)
    first_month = last_month
    for _ in range(months - 1):
        first_month = calendar.previous_month(first_month)
    teams = dict(selectors.culture_teams(request.user).values_list("pk", "name"))
    points = analytics.lagged_points(
        culture_key, outcome_key, first_month, last_month, team_ids=set(teams)
    )
    correlation = analytics.pearson_with_interval(
        [point.culture for point in points], [point.outcome for point in points]
    )
    culture_label = sources[culture_key].label
    outcome_label = analytics.OUTCOMES[outcome_key][0]
    return render(
        request,
        "insights/culture.html",
        {
            "form": form,
            "points": points,
            "teams": teams,
            "correlation": correlation,
            "reading": analytics.reading(correlation, culture_label, outcome_label),
            "culture_label": culture_label,
            "culture_description": sources[culture_key].description,
            "outcome_label": outcome_label,
            "min_group": MIN_GROUP,
            "min_answers": analytics.MIN_ANSWERS,
            "first_month": first_month,
            "last_month": last_month,
            "scatter": {
                "x": culture_label,
                "y": outcome_label + " next month",
                "points": [{"x": p.culture, "y": p.outcome} for p in points],
            },
            "chart_script": CHART_SCRIPT if chart_script_available() else None,
        },
    )


@requires(Action.VIEW_INSIGHTS)
def journey(request: HttpRequest) -> HttpResponse:
    may_edit = can(request.user, Action.MANAGE_JOURNEY)
    form = StageForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only leads edit the journey map.")
        if form.is_valid():
            services.add_stage(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=employee(request),
            )
            return redirect("insights:journey")
    return render(
        request,
        "insights/journey.html",
        {
            "stages": journey_map(),
            "form": form,
            "may_edit": may_edit,
            # Only people who work the inbox may open a conversation: the others see no link.
            "may_open_conversations": can(request.user, Action.USE_INBOX),
            "window_days": WINDOW_DAYS,
            "touchpoint_form": TouchpointForm(),
        },
    )


@requires(Action.MANAGE_JOURNEY)
def journey_stage(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(JourneyStage, pk=pk)
    form = StageForm(
        request.POST or None, initial={"name": stage.name, "description": stage.description}
    )
    touchpoint_form = TouchpointForm(request.POST or None, prefix="touchpoint")
    if request.method == "POST":
        if "remove" in request.POST:
            services.remove_stage(stage, by=employee(request))
            return redirect("insights:journey")
        if "add_touchpoint" in request.POST:
            if touchpoint_form.is_valid():
                data = touchpoint_form.cleaned_data
                services.save_touchpoint(
                    stage=stage, name=data["name"], description=data["description"],
                    tag_names=data["tags"], channel=data["channel"], by=employee(request),
                )  # fmt: skip
                return redirect("insights:journey")
        elif form.is_valid():
            services.update_stage(
                stage, name=form.cleaned_data["name"],
                description=form.cleaned_data["description"], by=employee(request),
            )  # fmt: skip
            return redirect("insights:journey")
    return render(
        request,
        "insights/journey_stage.html",
        {"stage": stage, "form": form, "touchpoint_form": touchpoint_form},
    )


@requires(Action.MANAGE_JOURNEY)
def journey_touchpoint(request: HttpRequest, pk: int) -> HttpResponse:
    touchpoint = get_object_or_404(Touchpoint, pk=pk)
    initial = {
        "name": touchpoint.name,
        "description": touchpoint.description,
        "tags": ", ".join(tag.name for tag in touchpoint.tags.all()),
        "channel": touchpoint.channel,
    }
    form = TouchpointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "remove" in request.POST:
            services.remove_touchpoint(touchpoint, by=employee(request))
            return redirect("insights:journey")
        if form.is_valid():
            data = form.cleaned_data
            services.save_touchpoint(
                stage=touchpoint.stage, name=data["name"], description=data["description"],
                tag_names=data["tags"], channel=data["channel"], by=employee(request),
                touchpoint=touchpoint,
            )  # fmt: skip
            return redirect("insights:journey")
    return render(
        request, "insights/journey_touchpoint.html", {"touchpoint": touchpoint, "form": form}
    )

"""The insights dashboard's figures, each with its definition, for a period, team and channel.

The customer figures come from the roll-ups through `insights.selectors.dashboard`, as the
dashboard and its CSV read them; team culture figures only for the teams the key's owner may
see (VIEW_CULTURE: a lead their own team) and only where enough people stand behind them.
"""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.scopes import Scope as KeyScope
from careloop.api.views import ApiView
from careloop.care.selectors import care_settings
from careloop.conversations.models import Channel
from careloop.core import calendar
from careloop.core.permissions import Action
from careloop.insights import selectors
from careloop.insights.definitions import METRICS
from careloop.insights.forms import PERIODS, DashboardFilterForm
from careloop.insights.sources import MIN_GROUP, culture_by_team, culture_sources
from careloop.people.models import Team, User

LARGEST_ID = 2**63 - 1
# The dashboard compares a period with the one before it: dates stay well inside the calendar.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(9000, 12, 31)


class MetricsQuerySerializer(serializers.Serializer[Any]):
    period = serializers.ChoiceField(
        choices=PERIODS,
        required=False,
        allow_blank=True,
        help_text="Days up to today (default 30); ignored when start and end are given.",
    )
    start = serializers.DateField(required=False, help_text="With end: a custom period.")
    end = serializers.DateField(required=False, help_text="At most three years after start.")
    team = serializers.IntegerField(
        min_value=1, max_value=LARGEST_ID, required=False, help_text="Default: every team."
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True, help_text="Default: all."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("start", "end"):
            day = attrs.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                raise serializers.ValidationError({name: [f"Give a date {EARLIEST}–{LATEST}."]})
        return attrs


class MetricSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField(help_text="A currency code for money.")
    definition = serializers.CharField(help_text="How the figure is counted.")
    value = serializers.FloatField(allow_null=True, help_text="Null: no data in the period.")
    change = serializers.FloatField(
        allow_null=True, help_text="Against the period of the same length just before."
    )
    lower_is_better = serializers.BooleanField()


class CultureMeasureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()
    definition = serializers.CharField()
    value = serializers.FloatField(
        allow_null=True, help_text=f"Null below the privacy minimum ({MIN_GROUP} people)."
    )


class TeamCultureSerializer(serializers.Serializer[Any]):
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    measures = CultureMeasureSerializer(many=True)


class PeriodSerializer(serializers.Serializer[Any]):
    first = serializers.DateField()
    last = serializers.DateField()


class MetricsSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    team = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField(help_text="Empty: every channel.")
    metrics = MetricSerializer(many=True)
    team_culture = TeamCultureSerializer(many=True)


def _scope(request: Request) -> selectors.Scope:
    """The dashboard's filters, read by the dashboard's own form (same defaults and limits)."""
    query = MetricsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    form = DashboardFilterForm({k: str(v) for k, v in query.validated_data.items()})
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return form.scope(calendar.today())


def _metrics(scope: selectors.Scope) -> list[dict[str, Any]]:
    board = selectors.dashboard(scope)
    values = selectors.figures_of(board)
    currency = care_settings().currency
    rows = []
    for key, (label, unit, definition) in METRICS.items():
        value = values.get(key)
        rows.append(
            {
                "key": key,
                "label": label,
                "unit": currency if unit == "currency" else unit,
                "definition": definition,
                "value": None if value is None else float(value),
                "change": board.change(key),
                "lower_is_better": key in selectors.LOWER_IS_BETTER,
            }
        )
    return rows


def _team_culture(owner: User, scope: selectors.Scope) -> list[dict[str, Any]]:
    """Each team's culture measures over the period's months, for the teams the owner may see."""
    teams: list[Team] = list(selectors.culture_teams(owner, scope.team_id))
    first, last = calendar.first_of_month(scope.first), calendar.first_of_month(scope.last)
    by_source = {
        key: (source, culture_by_team(source.read(first, last)))
        for key, source in culture_sources().items()
    }
    rows = []
    for team in teams:
        measures = []
        for key, (source, by_team) in by_source.items():
            cell = by_team.get(team.pk)
            measures.append(
                {
                    "key": key,
                    "label": source.label,
                    "definition": source.description,
                    "value": cell.value if cell is not None else None,
                }
            )
        rows.append({"team_id": team.pk, "team": team.name, "measures": measures})
    return rows


class MetricsView(ApiView):
    """The insights dashboard's figures with their definitions."""

    required_action = Action.VIEW_INSIGHTS
    required_scopes = {"GET": KeyScope.INSIGHTS_READ}

    @extend_schema(
        operation_id="insights_metrics_retrieve",
        description="Every figure of the insights dashboard (CSAT, NPS, CES, response and "
        "resolution times, SLA, reopen and recovery rates, retention, goodwill…) with its "
        "definition and its change against the period before, for a period, team and "
        "channel; and each team's culture measures, for the teams the key's owner may see "
        "(a lead their own team), empty below the privacy minimum.",
        tags=["insights"],
        parameters=[MetricsQuerySerializer],
        responses={
            200: MetricsSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="An invalid filter."),
        },
    )
    def get(self, request: Request) -> Response:
        scope = _scope(request)
        body = {
            "period": {"first": scope.first, "last": scope.last},
            "team": scope.team_id,
            "channel": scope.channel,
            "metrics": _metrics(scope),
            "team_culture": _team_culture(self.owner(), scope),
        }
        return Response(MetricsSerializer(body).data)

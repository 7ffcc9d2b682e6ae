"""The insights dashboard's figures, each with its definition, for a period, team and channel.

The customer figures come from the roll-ups through `insights.selectors.dashboard`, as the
dashboard and its CSV read them; team culture figures only for the teams the key's owner may
see (VIEW_CULTURE: a lead their own team) and only where enough people stand behind them.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import ApiView
from careloop.api.endpoints.common import QUERY_MAX, QueryWholeNumber, found
from careloop.api.scopes import Scope as KeyScope
from careloop.care.selectors import care_settings
from careloop.conversations.models import Channel
from careloop.core import calendar
from careloop.core.permissions import Action
from careloop.insights import selectors
from careloop.insights.definitions import METRICS
from careloop.insights.sources import MIN_GROUP, culture_by_team, culture_sources
from careloop.people.models import Team, User

# The longest period the dashboard offers (three years), and the years a period may end in:
# the dashboard compares a period with the one before it, so dates stay inside the calendar.
LONGEST_PERIOD_DAYS = 3 * 366
YEARS = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"


@extend_schema_field({"type": "string", "format": "date", "pattern": YEARS})
class PeriodEndField(serializers.DateField):
    """A date of the years 1900–2999, as its pattern in the schema says."""

    def get_value(self, dictionary: Any) -> Any:
        # Given empty, it is an invalid date (as the schema says), not a missing one.
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, value: Any) -> datetime.date:
        if not isinstance(value, str) or not re.fullmatch(YEARS, value):
            self.fail("invalid", format="YYYY-MM-DD, in the years 1900–2999")
        return super().to_internal_value(value)


class MetricsQuerySerializer(serializers.Serializer[Any]):
    """Every combination is a valid period: its last day and how many days it spans."""

    end = PeriodEndField(required=False, help_text="The period's last day; default today.")
    days = QueryWholeNumber(
        min_value=1,
        max_value=LONGEST_PERIOD_DAYS,
        default=30,
        help_text="How many days the period spans, up to its end (default 30).",
    )
    team = QueryWholeNumber(
        min_value=1, max_value=QUERY_MAX, required=False, help_text="Default: every team."
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True, help_text="Default: all."
    )


class MetricSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    unit = serializers.CharField(help_text="A currency code for money.")
    definition = serializers.CharField(help_text="How the figure is counted.")
    value = serializers.FloatField(allow_null=True, help_text="Null: no data in the period.")
    change = serializers.FloatField(
        allow_null=True, help_text="Against the period of the same length just before."
    )
    lower_is_better = serializers.BooleanField()


class CultureMeasureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
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
    query = MetricsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    last = data.get("end") or calendar.today()
    team_id = data.get("team")
    if team_id is not None:
        found(Team.objects.filter(pk=team_id).first(), "team")
    first = last - datetime.timedelta(days=data["days"] - 1)
    return selectors.Scope(first, last, team_id, data.get("channel") or "")


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
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No team has this id."),
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

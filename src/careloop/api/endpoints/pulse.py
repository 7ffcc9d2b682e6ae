"""Pulse results: aggregates only, under exactly the anonymity rules of the results pages.

Every figure comes from `pulse.selectors.results.survey_reports` (minimum group, complementary
suppression, rounds withheld after small membership changes, answers that reach the tables
only in shuffled batches), and a team filter from `filtered_result`, as on the page: the API
adds no figure of its own, so nothing the pages withhold can be rebuilt from its answers.
No comments and no answers of single people are served.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import ApiView
from careloop.api.endpoints.common import (
    ONE_ROW_ERRORS,
    QUERY_MAX,
    QueryWholeNumber,
    cursor_page,
    found,
)
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, restrict_shared
from careloop.pulse.models import Survey
from careloop.pulse.selectors import results
from careloop.pulse.selectors.surveys import surveys_with_results

MAX_TEAMS = 50


class PulseSurveySerializer(serializers.ModelSerializer[Survey]):
    reports_by_team = serializers.BooleanField(read_only=True)

    class Meta:
        model = Survey
        fields = ("id", "title", "status", "privacy_mode", "reports_by_team", "min_group_size")
        read_only_fields = fields


class EnpsSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(help_text="% promoters − % detractors.")
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    answers = serializers.IntegerField()


class ItemResultSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    module = serializers.CharField(source="question.module")
    kind = serializers.CharField(source="question.kind")
    answers = serializers.IntegerField()
    mean = serializers.FloatField(help_text="Agreement items after reverse scoring (1–7).")
    favourable = serializers.IntegerField(help_text="% agreeing (5–7), or promoters (9–10).")
    distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="How many gave each value, lowest first."
    )


class GroupResultSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="'organisation', 'team-<id>' or 'teams-<id>-<id>…'.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    responses = serializers.IntegerField()
    invited = serializers.IntegerField()
    participation = serializers.IntegerField(help_text="Per cent of those invited.")
    psych_safety = serializers.FloatField(allow_null=True)
    psych_safety_bins = serializers.ListField(
        child=serializers.IntegerField(), help_text="People per band of 1–2, 2–3 … 6–7."
    )
    engagement = serializers.FloatField(allow_null=True)
    enps = EnpsSerializer(allow_null=True)
    items = ItemResultSerializer(many=True)


class WithheldSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    reason = serializers.CharField()


class RoundSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(source="round.number")
    period = serializers.CharField(source="round.period_label")
    opens_on = serializers.DateField(source="round.opens_on")
    closes_on = serializers.DateField(source="round.closes_on")
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    participation = serializers.IntegerField()


class SurveyResultsSerializer(serializers.Serializer[Any]):
    survey = PulseSurveySerializer()
    rounds = serializers.ListField(
        child=serializers.IntegerField(), help_text="The closed rounds, by number, oldest first."
    )
    round = RoundSerializer(allow_null=True, help_text="Null until a round has closed.")
    groups = GroupResultSerializer(many=True)
    withheld = WithheldSerializer(many=True)


class ResultsQuerySerializer(serializers.Serializer[Any]):
    round = QueryWholeNumber(
        min_value=1, max_value=QUERY_MAX, required=False, help_text="Default: the latest."
    )
    teams = serializers.ListField(
        child=QueryWholeNumber(min_value=1, max_value=QUERY_MAX),
        required=False,
        max_length=MAX_TEAMS,
        help_text="Team ids to see together, if the anonymity rules allow that combination.",
    )


def _surveys_for(owner: Any) -> Any:
    return restrict_shared(surveys_with_results(), owner, Action.VIEW_PULSE_RESULTS)


class SurveysView(ApiView):
    """Surveys that have results to read (every survey past its draft)."""

    required_action = Action.VIEW_PULSE_RESULTS
    required_scopes = {"GET": Scope.PULSE_READ}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="pulse_surveys_list",
        description="Surveys past their draft, newest first, with the minimum group below "
        "which no result is shown.",
        tags=["pulse"],
        responses={200: PulseSurveySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return cursor_page(_surveys_for(self.owner()), request, self, PulseSurveySerializer)


class SurveyResultsView(ApiView):
    """One round's results: the groups the key's owner may see that the anonymity rules allow."""

    required_action = Action.VIEW_PULSE_RESULTS
    required_scopes = {"GET": Scope.PULSE_READ}
    audit_reads = True

    @extend_schema(
        operation_id="pulse_results_retrieve",
        description="A closed round's aggregates (default the latest): the whole organisation "
        "and the teams the key's owner may see (a lead their own team), each only with at "
        "least the survey's minimum group, never a team hidden to protect a smaller one, and "
        "never a team whose membership changed by fewer than the minimum since its last "
        "reported round. `teams` combines teams as the page's filter does, refused (403) "
        "when the combination includes a hidden team or leaves fewer than the minimum "
        "outside it. Comments are not served.",
        tags=["pulse"],
        parameters=[ResultsQuerySerializer],
        responses={
            200: SurveyResultsSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="An invalid round or teams."),
            403: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The key lacks the scope, or its owner may not see results or one "
                "of these teams (a lead sees their own team and the organisation), or the "
                "anonymity rules do not show this combination of teams.",
            ),
            **ONE_ROW_ERRORS,
        },
    )
    def get(self, request: Request, survey_id: int) -> Response:
        owner = self.owner()
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        survey = found(_surveys_for(owner).filter(pk=survey_id).first(), "survey")
        reports = results.survey_reports(survey)
        wanted = query.validated_data.get("round")
        report = next(
            (r for r in reports if r.round.number == wanted),
            reports[-1] if reports and wanted is None else None,
        )
        if wanted is not None and report is None:
            found(None, "closed round")
        teams = query.validated_data.get("teams") or []
        groups: list[results.GroupResult] = []
        if report is not None and teams:
            if not results.may_see_teams(owner, teams):
                raise PermissionDenied("Leads see their own team and the whole organisation.")
            try:
                groups = [results.filtered_result(survey, report, teams)]
            except results.FilterRefused as refusal:
                raise PermissionDenied(str(refusal)) from None
        elif report is not None:
            groups = [report.results[key] for key in results.keys_visible_to(owner, report)]
        if report is not None:
            shown = ", ".join(group.label for group in groups) or "nothing shown"
            record_audit(
                owner,
                "pulse.results_viewed",
                survey,
                summary=f"API, round {report.round.number}: {shown}",
            )
        body = {
            "survey": survey,
            "rounds": [r.round.number for r in reports],
            "round": report,
            "groups": groups,
            "withheld": results.withheld_visible_to(owner, report) if report else [],
        }
        return Response(SurveyResultsSerializer(body).data)

"""The voice of the customer, as the feedback pages show it: surveys sent, their answers, and
the recovery tasks of detractors (read, log a contact, close with an outcome)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import cursor_page, found
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.service_errors import CONFLICT, Conflict, as_api_errors
from careloop.api.strict_fields import StrictBooleanField, StrictCharField, StrictChoiceField
from careloop.core.permissions import Action, restrict
from careloop.feedback.models import (
    RecoveryContact,
    RecoveryTask,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from careloop.feedback.selectors import recovery_scopes, recovery_tasks_for
from careloop.feedback.services import recovery
from careloop.people.models import User

ANSWER_NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No answer has this id.")
TASK_NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No task has this id.")


def _email_of(person: User | None) -> str | None:
    return person.email if person is not None else None


# --- surveys and answers -------------------------------------------------------------------


class SurveyFilterSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(
        choices=SurveyKind.choices, required=False, allow_blank=True, help_text="Empty: any."
    )
    status = serializers.ChoiceField(
        choices=SurveyInvitation.Status.choices,
        required=False,
        allow_blank=True,
        help_text="Empty: any.",
    )


class AnswerFilterSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(
        choices=SurveyKind.choices, required=False, allow_blank=True, help_text="Empty: any."
    )


class SurveySerializer(serializers.ModelSerializer[SurveyInvitation]):
    agent_email = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()

    class Meta:
        model = SurveyInvitation
        fields = (
            "id",
            "kind",
            "status",
            "customer",
            "conversation",
            "team",
            "agent_email",
            "delivery",
            "send_after",
            "sent_at",
            "answered_at",
            "expires_at",
            "answer",
        )
        read_only_fields = fields

    def get_agent_email(self, survey: SurveyInvitation) -> str | None:
        return _email_of(survey.agent)

    def get_answer(self, survey: SurveyInvitation) -> int | None:
        """The answer's id, if the customer answered."""
        answer = getattr(survey, "response", None)
        return answer.pk if answer is not None else None


class AnswerSerializer(serializers.ModelSerializer[SurveyResponse]):
    survey = serializers.IntegerField(source="invitation_id", read_only=True)
    agent_email = serializers.SerializerMethodField()
    detractor = serializers.BooleanField(source="is_detractor", read_only=True)
    answers = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="Each follow-up question as asked, with the customer's answer.",
    )

    class Meta:
        model = SurveyResponse
        fields = (
            "id",
            "survey",
            "kind",
            "customer",
            "conversation",
            "team",
            "agent_email",
            "csat",
            "ces",
            "nps",
            "detractor",
            "comment",
            "answers",
            "answered_at",
        )
        read_only_fields = fields

    def get_agent_email(self, answer: SurveyResponse) -> str | None:
        return _email_of(answer.agent)


def _answers(owner: User) -> QuerySet[SurveyResponse]:
    return restrict(SurveyResponse.objects.select_related("agent"), owner, Action.VIEW_FEEDBACK)


class SurveysView(ApiView):
    required_action = Action.VIEW_FEEDBACK
    required_scopes = {"GET": Scope.FEEDBACK_READ}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)

    @extend_schema(
        operation_id="surveys_list",
        description="Surveys sent or scheduled, newest first, with the id of each one's answer.",
        tags=["feedback"],
        parameters=[SurveyFilterSerializer],
        responses={200: SurveySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = SurveyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        surveys = restrict(
            SurveyInvitation.objects.select_related("agent", "response"),
            self.owner(),
            Action.VIEW_FEEDBACK,
        )
        for name in ("kind", "status"):
            if filters.validated_data.get(name):
                surveys = surveys.filter(**{name: filters.validated_data[name]})
        return cursor_page(surveys, request, self, SurveySerializer)


class AnswersView(ApiView):
    required_action = Action.VIEW_FEEDBACK
    required_scopes = {"GET": Scope.FEEDBACK_READ}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)
    audit_reads = True

    @extend_schema(
        operation_id="survey_answers_list",
        description="Customers' answers to surveys, newest first.",
        tags=["feedback"],
        parameters=[AnswerFilterSerializer],
        responses={200: AnswerSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = AnswerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        answers = _answers(self.owner())
        if filters.validated_data.get("kind"):
            answers = answers.filter(kind=filters.validated_data["kind"])
        return cursor_page(answers, request, self, AnswerSerializer)


class AnswerView(ApiView):
    required_action = Action.VIEW_FEEDBACK
    required_scopes = {"GET": Scope.FEEDBACK_READ}
    audit_reads = True

    @extend_schema(
        operation_id="survey_answers_retrieve",
        tags=["feedback"],
        responses={200: AnswerSerializer, 404: ANSWER_NOT_FOUND},
    )
    def get(self, request: Request, answer_id: int) -> Response:
        answer = found(_answers(self.owner()).filter(pk=answer_id).first(), "answer")
        return Response(AnswerSerializer(answer).data)


# --- recovery tasks ------------------------------------------------------------------------


class RecoveryFilterSerializer(serializers.Serializer[dict[str, Any]]):
    scope = serializers.ChoiceField(
        choices=[("mine", "Mine"), ("team", "My team"), ("all", "Everyone")],
        required=False,
        allow_blank=True,
        help_text="Whose tasks: `mine`, `team` or `all`, as far as the key's owner reaches "
        "(beyond it is a 403). Empty: as far as they reach.",
    )
    status = serializers.ChoiceField(
        choices=[("open", "Not closed"), *RecoveryTask.Status.choices],
        required=False,
        allow_blank=True,
        help_text="`open` is every task not closed yet. Empty: any.",
    )


class RecoveryContactSerializer(serializers.ModelSerializer[RecoveryContact]):
    by_email = serializers.EmailField(source="by.email", read_only=True)

    class Meta:
        model = RecoveryContact
        fields = ("id", "channel", "note", "reached", "at", "by_email")
        read_only_fields = fields


class RecoveryTaskSerializer(serializers.ModelSerializer[RecoveryTask]):
    answer = serializers.IntegerField(source="response_id", read_only=True)
    owner_email = serializers.EmailField(source="owner.email", read_only=True)
    causes = serializers.SlugRelatedField[Any](slug_field="name", many=True, read_only=True)
    contacts = RecoveryContactSerializer(many=True, read_only=True)
    outcome = serializers.ChoiceField(
        choices=RecoveryTask.Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the task is closed.",
    )

    class Meta:
        model = RecoveryTask
        fields = (
            "id",
            "answer",
            "customer",
            "team",
            "owner_email",
            "reason",
            "status",
            "due_at",
            "first_contact_at",
            "outcome",
            "outcome_note",
            "causes",
            "closed_at",
            "created_at",
            "contacts",
        )
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer[dict[str, Any]]):
    channel = StrictChoiceField(choices=RecoveryContact.Channel.choices)
    note = StrictCharField(min_length=1, max_length=10_000, help_text="What was said or tried.")
    reached = StrictBooleanField(default=True, help_text="Whether the customer was reached.")


class RecoveryCloseSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = StrictChoiceField(choices=RecoveryTask.Outcome.choices)
    note = StrictCharField(max_length=10_000, allow_blank=True, required=False, default="")
    causes = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=80),
        required=False,
        max_length=20,
        help_text="Why the customer was let down; at least one unless the outcome is `no_reply`.",
    )


def _tasks(owner: User) -> QuerySet[RecoveryTask]:
    return restrict(
        RecoveryTask.objects.select_related("owner").prefetch_related("causes", "contacts__by"),
        owner,
        Action.WORK_RECOVERY,
    )


class RecoveryTasksView(ApiView):
    required_action = Action.WORK_RECOVERY
    required_scopes = {"GET": Scope.FEEDBACK_READ}
    pagination_class = CursorPages
    cursor_ordering = ("-id",)
    audit_reads = True

    @extend_schema(
        operation_id="recovery_tasks_list",
        description="Recovery tasks of detractors, newest first: the key's owner's own, their "
        "team's for a lead, every team's for CX leadership.",
        tags=["feedback"],
        parameters=[RecoveryFilterSerializer],
        responses={200: RecoveryTaskSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = RecoveryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        owner = self.owner()
        offered = [value for value, _ in recovery_scopes(owner)]
        scope = filters.validated_data.get("scope") or (offered[-1] if offered else "mine")
        if scope not in offered:
            raise PermissionDenied(f"This key's owner reaches only: {', '.join(offered)}.")
        tasks = recovery_tasks_for(
            owner, scope=scope, status=filters.validated_data.get("status", "")
        )
        tasks = tasks.prefetch_related("causes", "contacts__by")
        return cursor_page(tasks, request, self, RecoveryTaskSerializer)


def _task_or_404(view: ApiView, task_id: int) -> RecoveryTask:
    return found(_tasks(view.owner()).filter(pk=task_id).first(), "task")


def _open_task_or_404(view: ApiView, task_id: int) -> RecoveryTask:
    task = _task_or_404(view, task_id)
    if task.is_closed:
        raise Conflict("This recovery task is closed.")
    return task


class RecoveryTaskView(ApiView):
    required_action = Action.WORK_RECOVERY
    required_scopes = {"GET": Scope.FEEDBACK_READ}
    audit_reads = True

    @extend_schema(
        operation_id="recovery_tasks_retrieve",
        tags=["feedback"],
        responses={200: RecoveryTaskSerializer, 404: TASK_NOT_FOUND},
    )
    def get(self, request: Request, task_id: int) -> Response:
        return Response(RecoveryTaskSerializer(_task_or_404(self, task_id)).data)


class RecoveryContactsView(ApiView):
    required_action = Action.WORK_RECOVERY
    required_scopes = {"POST": Scope.FEEDBACK_WRITE}

    @extend_schema(
        operation_id="recovery_tasks_contacts_create",
        summary="Log a contact with the customer",
        description="The first contact meets the task's contact target; the task becomes "
        "`contacted`. A closed task takes no more contacts (409).",
        tags=["feedback"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ContactCreateSerializer,
        responses={
            201: RecoveryTaskSerializer,
            404: TASK_NOT_FOUND,
            409: CONFLICT,
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request, task_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._log(request, task_id))

    def _log(self, request: Request, task_id: int) -> Outcome:
        task = _open_task_or_404(self, task_id)
        form = ContactCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with as_api_errors():
            recovery.log_contact(task, by=self.owner(), **form.validated_data)
        body = RecoveryTaskSerializer(_task_or_404(self, task_id)).data
        return Outcome(status.HTTP_201_CREATED, body)


class RecoveryCloseView(ApiView):
    required_action = Action.WORK_RECOVERY
    required_scopes = {"POST": Scope.FEEDBACK_WRITE}

    @extend_schema(
        operation_id="recovery_tasks_close",
        summary="Close a recovery task with its outcome",
        description="Records the outcome and the causes (they roll up into the cause "
        "backlog); a recovered customer is thanked by email. A closed task is a 409.",
        tags=["feedback"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=RecoveryCloseSerializer,
        responses={
            200: RecoveryTaskSerializer,
            404: TASK_NOT_FOUND,
            409: CONFLICT,
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request, task_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._close(request, task_id))

    def _close(self, request: Request, task_id: int) -> Outcome:
        task = _open_task_or_404(self, task_id)
        form = RecoveryCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with as_api_errors():
            recovery.close_task(
                task,
                by=self.owner(),
                outcome=data["outcome"],
                note=data["note"],
                causes=data.get("causes", []),
            )
        body = RecoveryTaskSerializer(_task_or_404(self, task_id)).data
        return Outcome(status.HTTP_200_OK, body)

"""Learning reviews, their action items, and the anonymous reports facilitators answer.

Reviews are read through `learning.selectors.visible_reviews` (drafts for the people in them,
published ones by visibility and READ_LEARNING_REVIEWS), exactly as the pages read them.
Anonymous reports are read only, and only by facilitators: they carry no author to reveal, and
the API files none, because every API write is kept with the key that sent it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied as DomainPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.actions import services as actions
from careloop.actions.models import ActionItem
from careloop.api.base import IDEMPOTENCY_PARAMETER, WRITE_ERRORS, ApiView
from careloop.api.endpoints.common import ONE_ROW_ERRORS, cursor_page, found, name_of
from careloop.api.idempotency import Outcome, run_once
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.api.strict_fields import StrictCharField, StrictChoiceField
from careloop.core.permissions import Action, restrict, restrict_shared
from careloop.learning import selectors, services
from careloop.learning.models import (
    AnonymousReply,
    AnonymousReport,
    FactorCategory,
    LearningReview,
    ReviewKind,
    Severity,
    Visibility,
)
from careloop.people.models import User

MAX_ENTRIES = 50
LONG_TEXT = 20_000


# --- serializers ---------------------------------------------------------------------------


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = StrictCharField(max_length=40, help_text="When, as the team would say it: '09:10'.")
    known = StrictCharField(max_length=LONG_TEXT, help_text="What was known at the time.")


class FactorSerializer(serializers.Serializer[Any]):
    category = StrictChoiceField(choices=FactorCategory.choices)
    description = StrictCharField(
        max_length=LONG_TEXT,
        help_text="A condition in the system; there is no field for a culprit.",
    )


class ReviewCreateSerializer(serializers.Serializer[Any]):
    title = StrictCharField(max_length=200)
    kind = StrictChoiceField(choices=ReviewKind.choices)
    severity = StrictChoiceField(choices=Severity.choices, default=Severity.LOW)
    visibility = StrictChoiceField(choices=Visibility.choices, default=Visibility.TEAM)
    summary = StrictCharField(max_length=LONG_TEXT)
    impact = StrictCharField(max_length=LONG_TEXT, allow_blank=True, default="")
    went_well = StrictCharField(max_length=LONG_TEXT, allow_blank=True, default="")
    went_wrong = StrictCharField(max_length=LONG_TEXT, allow_blank=True, default="")
    got_lucky = StrictCharField(max_length=LONG_TEXT, allow_blank=True, default="")
    timeline = serializers.ListField(
        child=TimelineEntrySerializer(), required=False, max_length=MAX_ENTRIES
    )
    factors = serializers.ListField(
        child=FactorSerializer(), required=False, max_length=MAX_ENTRIES
    )

    def draft(self) -> services.ReviewDraft:
        data = self.validated_data
        return services.ReviewDraft(
            title=data["title"],
            kind=data["kind"],
            summary=data["summary"],
            severity=data["severity"],
            visibility=data["visibility"],
            impact=data["impact"],
            went_well=data["went_well"],
            went_wrong=data["went_wrong"],
            got_lucky=data["got_lucky"],
            timeline=tuple((e["at"], e["known"]) for e in data.get("timeline", [])),
            factors=tuple((f["category"], f["description"]) for f in data.get("factors", [])),
        )


class ReviewSerializer(serializers.ModelSerializer[LearningReview]):
    team = serializers.SerializerMethodField()
    facilitator = serializers.SerializerMethodField()

    class Meta:
        model = LearningReview
        fields: tuple[str, ...] = (
            "id",
            "title",
            "kind",
            "severity",
            "status",
            "visibility",
            "team",
            "facilitator",
            "summary",
            "created_at",
            "published_at",
        )
        read_only_fields = fields

    def get_team(self, review: LearningReview) -> str | None:
        return name_of(review.team)

    def get_facilitator(self, review: LearningReview) -> str | None:
        return name_of(review.facilitator)


class ParticipantSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    role = serializers.CharField()


class BlameFlagSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="The part of the review the passage is in.")
    text = serializers.CharField()
    prompt = serializers.CharField(help_text="How the blame coach suggests reframing it.")
    category = serializers.CharField()


class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    owner = serializers.SerializerMethodField()
    review = serializers.IntegerField(source="source_id", allow_null=True)

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "title",
            "kind",
            "status",
            "owner",
            "review",
            "source_label",
            "due",
            "evidence",
            "dropped_reason",
            "completed_at",
        )
        read_only_fields = fields

    def get_owner(self, item: ActionItem) -> str | None:
        return name_of(item.owner)


class ReviewDetailSerializer(ReviewSerializer):
    timeline = TimelineEntrySerializer(many=True, read_only=True)
    factors = FactorSerializer(many=True, read_only=True)
    participants = serializers.SerializerMethodField()
    action_items = serializers.SerializerMethodField()
    blame_flags = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = (
            *ReviewSerializer.Meta.fields,
            "impact",
            "went_well",
            "went_wrong",
            "got_lucky",
            "timeline",
            "factors",
            "participants",
            "action_items",
            "blame_flags",
        )
        read_only_fields = fields

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, review: LearningReview) -> list[dict[str, str]]:
        return [
            {"name": str(participant.person), "role": participant.role}
            for participant in review.participants.select_related("person").order_by("pk")
        ]

    @extend_schema_field(ActionItemSerializer(many=True))
    def get_action_items(self, review: LearningReview) -> Any:
        """Only the items the reader may open, as the ledger shows them."""
        reader = self.context["request"].user
        items = restrict(selectors.action_items_for(review), reader, Action.SEE_ACTION_ITEMS)
        return ActionItemSerializer(items.order_by("due", "pk"), many=True).data

    @extend_schema_field(BlameFlagSerializer(many=True))
    def get_blame_flags(self, review: LearningReview) -> list[dict[str, str]]:
        return [asdict(flag) for flag in services.blame_flags(review)]


class ActionItemFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=ActionItem.Status.choices, required=False, allow_blank=True, help_text="Any."
    )


class ActionItemStatusSerializer(serializers.Serializer[Any]):
    status = StrictChoiceField(choices=ActionItem.Status.choices)
    evidence = StrictCharField(
        max_length=LONG_TEXT,
        allow_blank=True,
        default="",
        help_text="Required to mark it done: what shows it is done.",
    )
    dropped_reason = StrictCharField(
        max_length=LONG_TEXT,
        allow_blank=True,
        default="",
        help_text="Required to drop it: why.",
    )


class AnonymousReplySerializer(serializers.ModelSerializer[AnonymousReply]):
    facilitator = serializers.SerializerMethodField(
        help_text="The facilitator who answered; always null for the reporter's own words."
    )

    class Meta:
        model = AnonymousReply
        fields = ("position", "from_reporter", "body", "written_on", "facilitator")
        read_only_fields = fields

    def get_facilitator(self, reply: AnonymousReply) -> str | None:
        return None if reply.from_reporter else name_of(reply.facilitator)


class AnonymousReportSerializer(serializers.ModelSerializer[AnonymousReport]):
    replies = AnonymousReplySerializer(many=True, read_only=True)

    class Meta:
        model = AnonymousReport
        fields = ("id", "kind", "body", "reported_on", "replies")
        read_only_fields = fields


# --- views ---------------------------------------------------------------------------------


def _reviews_for(owner: User) -> QuerySet[LearningReview]:
    return selectors.visible_reviews(owner).select_related("team", "facilitator")


def _learning_items(owner: User) -> QuerySet[ActionItem]:
    items = ActionItem.objects.filter(source_kind=ActionItem.SourceKind.LEARNING_REVIEW)
    return restrict(items.select_related("owner"), owner, Action.SEE_ACTION_ITEMS)


class ReviewsView(ApiView):
    """Learning reviews the key's owner may read; a POST opens a draft they facilitate."""

    required_action = Action.USE_LEARNING
    required_scopes = {"GET": Scope.LEARNING_READ, "POST": Scope.LEARNING_WRITE}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="learning_reviews_list",
        description="Newest first: drafts the key's owner facilitates or takes part in, and "
        "published reviews of their team or shared with the whole organisation.",
        tags=["learning"],
        responses={200: ReviewSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return cursor_page(_reviews_for(self.owner()), request, self, ReviewSerializer)

    @extend_schema(
        operation_id="learning_reviews_create",
        summary="Open a draft learning review",
        description="A draft facilitated by the key's owner and booked to their team. The "
        "answer carries the blame coach's flags: passages to reframe before publishing.",
        tags=["learning"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ReviewCreateSerializer,
        responses={201: ReviewDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        return run_once(request, self.api_key(), lambda: self._open(request))

    def _open(self, request: Request) -> Outcome:
        form = ReviewCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        review = services.open_review(self.owner(), form.draft())
        body = ReviewDetailSerializer(review, context={"request": request}).data
        return Outcome(status.HTTP_201_CREATED, body)


class ReviewView(ApiView):
    """One learning review, with its timeline, factors and the action items the reader may see."""

    required_action = Action.USE_LEARNING
    required_scopes = {"GET": Scope.LEARNING_READ}

    @extend_schema(
        operation_id="learning_reviews_retrieve",
        tags=["learning"],
        responses={200: ReviewDetailSerializer, **ONE_ROW_ERRORS},
    )
    def get(self, request: Request, review_id: int) -> Response:
        review = found(_reviews_for(self.owner()).filter(pk=review_id).first(), "review")
        return Response(ReviewDetailSerializer(review, context={"request": request}).data)


class ActionItemsView(ApiView):
    """Action items raised by learning reviews, as the ledger shows them to the key's owner."""

    required_action = Action.USE_ACTIONS
    required_scopes = {"GET": Scope.LEARNING_READ}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="learning_action_items_list",
        description="Newest first: the owner's own items (and those they created), their "
        "team's for leads, every item for those who oversee the whole organisation.",
        tags=["learning"],
        parameters=[ActionItemFilterSerializer],
        responses={200: ActionItemSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = ActionItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = _learning_items(self.owner())
        if filters.validated_data.get("status"):
            items = items.filter(status=filters.validated_data["status"])
        return cursor_page(items, request, self, ActionItemSerializer)


class ActionItemStatusView(ApiView):
    """Move a learning action item on: in progress, done (with evidence) or dropped (why)."""

    required_action = Action.USE_ACTIONS
    required_scopes = {"POST": Scope.LEARNING_WRITE}

    @extend_schema(
        operation_id="learning_action_items_status_create",
        summary="Change an action item's status, e.g. mark it done",
        description="Done needs `evidence`, dropped needs a `dropped_reason` (400 without). "
        "The item's owner, its creator and those who oversee them may change it.",
        tags=["learning"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ActionItemStatusSerializer,
        responses={200: ActionItemSerializer, **ONE_ROW_ERRORS, **WRITE_ERRORS},
    )
    def post(self, request: Request, item_id: int) -> Response:
        return run_once(request, self.api_key(), lambda: self._change(request, item_id))

    def _change(self, request: Request, item_id: int) -> Outcome:
        item = found(_learning_items(self.owner()).filter(pk=item_id).first(), "action item")
        form = ActionItemStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            item = actions.change_status(
                item,
                by=self.owner(),
                status=data["status"],
                evidence=data["evidence"],
                dropped_reason=data["dropped_reason"],
            )
        except ValidationError as error:
            raise ApiValidationError({"status": error.messages}) from None
        except DomainPermissionDenied as refusal:
            raise PermissionDenied(str(refusal)) from None
        return Outcome(status.HTTP_200_OK, ActionItemSerializer(item).data)


class AnonymousReportsView(ApiView):
    """Anonymous reports and their threads, for facilitators: no author exists to be shown."""

    required_action = Action.FACILITATE_LEARNING
    required_scopes = {"GET": Scope.LEARNING_READ}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="learning_anonymous_reports_list",
        description="Reports carry only the day they arrived, and their order says nothing "
        "about who sent them (random keys). Filing a report is a page only: an API write is "
        "kept with the key, and so with the person, that sent it.",
        tags=["learning"],
        responses={200: AnonymousReportSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        reports = restrict_shared(
            AnonymousReport.objects.prefetch_related("replies__facilitator"),
            self.owner(),
            Action.FACILITATE_LEARNING,
        )
        return cursor_page(reports, request, self, AnonymousReportSerializer)

"""What the API reads and writes; validation at the edge, before any service is called."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from careloop.api.selectors import conversation_ids_of, messages_visible_to
from careloop.api.strict_fields import (
    IdempotencyKeyField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIntegerField,
)
from careloop.conversations.models import (
    Channel,
    Conversation,
    Customer,
    Message,
    Priority,
    Status,
)
from careloop.conversations.selectors import InboxView
from careloop.core.permissions import Action, may

MAX_BODY_LENGTH = 100_000
MAX_TAGS = 20


# --- requests ------------------------------------------------------------------------------


class CustomerReferenceSerializer(serializers.Serializer[dict[str, Any]]):
    """Who wrote: by email and/or the id the calling system knows them by."""

    email = StrictEmailField(required=False, max_length=254)
    external_id = StrictCharField(required=False, min_length=1, max_length=320)
    name = StrictCharField(required=False, max_length=200, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "email" not in attrs and "external_id" not in attrs:
            raise serializers.ValidationError(
                "Give the customer's email, external_id or both (the external id wins)."
            )
        return attrs


class ConversationCreateSerializer(serializers.Serializer[dict[str, Any]]):
    customer = CustomerReferenceSerializer()
    subject = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    body = StrictCharField(min_length=1, max_length=MAX_BODY_LENGTH, help_text="Plain text.")
    priority = StrictChoiceField(choices=Priority.choices, required=False)
    tags = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=60),
        required=False,
        max_length=MAX_TAGS,
    )


class MessageCreateSerializer(serializers.Serializer[dict[str, Any]]):
    author = StrictChoiceField(
        choices=[("customer", "Customer"), ("agent", "Agent")],
        default="customer",
        help_text="'customer' adds what the customer wrote; 'agent' sends a reply.",
    )
    body = StrictCharField(min_length=1, max_length=MAX_BODY_LENGTH, help_text="Plain text.")
    internal = StrictBooleanField(
        default=False, help_text="With author 'agent': an internal note the customer never sees."
    )
    agent_email = StrictEmailField(
        required=False,
        help_text="With author 'agent': who replies. Always the key's owner; any other "
        "email is refused with 403.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["author"] == "customer":
            wrong = [name for name in ("agent_email", "internal") if attrs.get(name)]
            if wrong:
                raise serializers.ValidationError(
                    {name: ["Only an agent's message takes this."] for name in wrong}
                )
        return attrs


MAX_BATCH_ITEMS = 100


class BatchItemSerializer(serializers.Serializer[dict[str, Any]]):
    """One message of a batch: a new conversation (`customer`, like a create) or what the
    customer wrote in an existing one (`conversation`)."""

    idempotency_key = IdempotencyKeyField(
        help_text="This item's own key, unique per message: a retry of the item (in any batch) "
        "gets its first answer; the same key with different content gets 422."
    )
    conversation = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text="An existing conversation the customer wrote in (leave `customer` out).",
    )
    customer = CustomerReferenceSerializer(
        required=False, help_text="Opens a new conversation (leave `conversation` out)."
    )
    subject = StrictCharField(max_length=300, required=False, allow_blank=True)
    body = StrictCharField(min_length=1, max_length=MAX_BODY_LENGTH, help_text="Plain text.")
    priority = StrictChoiceField(choices=Priority.choices, required=False)
    tags = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=60), required=False, max_length=MAX_TAGS
    )


class BatchSerializer(serializers.Serializer[dict[str, Any]]):
    messages = serializers.ListField(
        child=BatchItemSerializer(), min_length=1, max_length=MAX_BATCH_ITEMS
    )


class BatchResultSerializer(serializers.Serializer[dict[str, Any]]):
    """What became of one item, in the order sent."""

    idempotency_key = serializers.CharField()
    status = serializers.IntegerField(
        help_text="201 stored now; 200 stored by an earlier request with this key (`replayed`); "
        "422 not stored, see `errors`."
    )
    replayed = serializers.BooleanField()
    conversation = serializers.IntegerField(required=False)
    message = serializers.IntegerField(required=False)
    errors = serializers.DictField(required=False)  # type: ignore[assignment]


class BatchResultsSerializer(serializers.Serializer[dict[str, Any]]):
    results = BatchResultSerializer(many=True)


class ConversationFilterSerializer(serializers.Serializer[dict[str, Any]]):
    view = serializers.ChoiceField(
        choices=[(view.value, view.label) for view in InboxView],
        required=False,
        allow_blank=True,
        help_text="One of the inbox's views: `waiting` (waiting on us), `mine` (assigned to the "
        "key's owner), `team` (the owner's team), `unassigned`, `on_hold`, `all` (all open). "
        "Empty: every conversation, finished ones too.",
    )
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, allow_blank=True, help_text="Empty: any status."
    )
    tag = serializers.SlugField(
        max_length=60, required=False, allow_blank=True, help_text="Empty: any tags."
    )
    assignee_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Assigned to this employee. Empty: anyone."
    )
    customer_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Empty: any customer."
    )


# --- responses -----------------------------------------------------------------------------


REPLY_SCORE_SCHEMA = {
    "type": "object",
    "nullable": True,
    "additionalProperties": True,
    "description": "The empathy coach's reading of a public reply: only for its author and "
    "their team lead, null for everyone else and for messages not scored.",
}


class MessageSerializer(serializers.ModelSerializer[Message]):
    """A message; the reader (context `request`'s user) decides whether scores are shown."""

    author = serializers.CharField(source="author_kind")
    author_name = serializers.SerializerMethodField()
    reply_score = serializers.SerializerMethodField()
    internal = serializers.BooleanField(source="is_internal_note")
    body = serializers.CharField(source="body_text")
    conversation = serializers.IntegerField(source="conversation_id")

    class Meta:
        model = Message
        fields = (
            "id",
            "conversation",
            "author",
            "author_name",
            "channel",
            "internal",
            "body",
            "body_html",
            "created_at",
            "reply_score",
        )
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        if message.unverified_sender:
            return f"Unverified sender: {message.unverified_sender}"
        if message.author_kind == Message.Author.CUSTOMER:
            return message.conversation.customer.full_name
        return message.author.full_name if message.author else ""

    @extend_schema_field(REPLY_SCORE_SCHEMA)
    def get_reply_score(self, message: Message) -> Any:
        request = self.context.get("request")
        reader = getattr(request, "user", None)
        if message.reply_score is None or reader is None:
            return None
        return message.reply_score if may(reader, Action.SEE_REPLY_SCORES, message) else None


class CustomerSummarySerializer(serializers.ModelSerializer[Customer]):
    class Meta:
        model = Customer
        fields = ("id", "full_name", "email")
        read_only_fields = fields


TAG_NAMES_SCHEMA = {"type": "array", "items": {"type": "string"}, "readOnly": True}


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    """A conversation. Context `tag_names` ({id: names}) gives tags already known (a create
    just wrote them), so no query reads them back."""

    customer = CustomerSummarySerializer()
    tags = serializers.SerializerMethodField()
    assignee_email = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields: tuple[str, ...] = (
            "id",
            "subject",
            "status",
            "priority",
            "channel",
            "customer",
            "tags",
            "assignee_email",
            "merged_into",
            "created_at",
            "updated_at",
            "waiting_since",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "sla_breached",
            "care_priority",
        )
        read_only_fields = fields

    @extend_schema_field(TAG_NAMES_SCHEMA)
    def get_tags(self, conversation: Conversation) -> list[str]:
        known = self.context.get("tag_names", {}).get(conversation.pk)
        if known is not None:
            return list(known)
        return [tag.name for tag in conversation.tags.all()]

    def get_assignee_email(self, conversation: Conversation) -> str | None:
        return conversation.assignee.email if conversation.assignee else None


class ConversationDetailSerializer(ConversationSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = (*ConversationSerializer.Meta.fields, "messages")
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, conversation: Conversation) -> Any:
        """Internal notes appear only to readers who may read this conversation's notes.

        Context `messages` ({id: messages}) gives them where they are known already: a new
        conversation's only message is the customer's, which every reader may see."""
        known = self.context.get("messages", {}).get(conversation.pk)
        if known is not None:
            return MessageSerializer(known, many=True, context=self.context).data
        messages = messages_visible_to(self.context["request"].user, conversation)
        return MessageSerializer(messages, many=True, context=self.context).data


class ContactPointSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    value = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer[Customer]):
    contact_points = ContactPointSerializer(many=True, read_only=True)
    conversation_ids = serializers.SerializerMethodField()
    preferred_channel = serializers.ChoiceField(
        choices=Channel.choices, allow_blank=True, read_only=True, help_text="Empty: no preference."
    )

    class Meta:
        model = Customer
        fields = (
            "id",
            "full_name",
            "email",
            "company",
            "language",
            "preferred_channel",
            "notes",
            "merged_into",
            "created_at",
            "contact_points",
            "conversation_ids",
        )
        read_only_fields = fields

    def get_conversation_ids(self, customer: Customer) -> list[int]:
        return conversation_ids_of(customer)

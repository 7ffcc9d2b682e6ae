from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Action, Ownership


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Web chat"
    API = "api", "API"
    WEB = "web", "Web form"


class Customer(models.Model):
    """Someone the team serves. Customers never sign in to the staff side."""

    # Customers are the whole organisation's: whoever may see customers sees every one.
    row_ownership: ClassVar[dict[Action, Ownership]] = {
        Action.VIEW_CUSTOMERS: Ownership(),
        Action.MANAGE_CUSTOMER_PRIVACY: Ownership(),
    }

    full_name = models.CharField(max_length=200)
    email = models.EmailField(unique=True, null=True, blank=True)
    company = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, default="en")
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    notes = models.TextField(
        blank=True, help_text="Preferences and context the whole team should know."
    )
    # A merged customer points at the one that absorbed it; it stays for the audit trail.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_customers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the customer's personal data was erased on request; the row stays for aggregates.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("full_name",)
        indexes = (models.Index(fields=("created_at",)),)

    def __str__(self) -> str:
        return self.full_name or self.email or f"Customer {self.pk}"


class ContactPoint(models.Model):
    """A way a customer reaches us; channels find the customer through these."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        CHAT = "chat", "Chat identity"
        EXTERNAL = "external", "External id"
        PHONE = "phone", "Phone"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=320)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("kind", "value"), name="unique_contact_point"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Tag(models.Model):
    name = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (waiting on the customer)"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


# Statuses in which the customer is waiting on us and the SLA clock runs.
WAITING_ON_US = (Status.OPEN,)
# Statuses that stop the clock without the conversation being finished.
PAUSED = (Status.PENDING, Status.ON_HOLD)
FINISHED = (Status.SOLVED, Status.CLOSED)


UNFINISHED = (Status.OPEN, Status.PENDING, Status.ON_HOLD)
# The conditions of the inbox views (conversations.selectors.inbox_for), each the condition of
# a partial index in the view's order: the index holds exactly the view's rows, so a page is
# a short walk of it and its size is the view's estimated total (inbox_pages.estimated_rows).
IN_INBOX = models.Q(status__in=UNFINISHED, merged_into__isnull=True)
WAITING_IN_INBOX = models.Q(
    status=Status.OPEN, waiting_since__isnull=False, merged_into__isnull=True
)


def new_reply_token() -> str:
    return secrets.token_hex(8)


class Conversation(models.Model):
    # Whose a conversation is: its assignee's and its team's (unrouted ones everyone's).
    row_ownership: ClassVar[dict[Action, Ownership]] = {
        Action.USE_INBOX: Ownership(
            owners=("assignee",), teams=("team",), teamless_rows_shared=True
        )
    }

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    # Threading fallback when mail clients drop headers: "[#token]" in subjects, +token addresses.
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_conversations",
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # When the customer started waiting for our next reply; null when nobody is waiting.
    waiting_since = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_solved_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    public_reply_count = models.PositiveIntegerField(default=0)

    # SLA targets (due times) and measurements, in calendar and business seconds.
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Business seconds spent on hold, excluded from resolution time.
    paused_business_seconds = models.PositiveIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)

    # How upset the customer is (0..1), filled by the empathy engine; null until scored.
    distress = models.FloatField(null=True, blank=True)
    # The language of the latest read customer message when the engine's English-only models
    # could not read it ("Spanish"); distress then stays null and care priority says so.
    distress_not_read = models.CharField(max_length=32, blank=True, default="")
    # Subject, customer and message text in one column, so search needs one index
    # (see conversations.search_index: a stored tsvector on PostgreSQL, FTS5 on SQLite).
    search_text = models.TextField(blank=True, default="")
    care_priority = models.FloatField(default=0.0)
    care_priority_reasons = models.JSONField(default=list, blank=True)
    # Each factor's points, reason and computation (care_priority.Contribution); they add up
    # to care_priority exactly. Nullable so SQLite adds the column in place: rebuilding this
    # table would try to rebuild the PostgreSQL-only search index too.
    care_priority_breakdown = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-care_priority", "created_at")
        indexes = (
            models.Index(fields=("status", "-care_priority"), name="conv_status_priority"),
            models.Index(fields=("assignee", "status", "-care_priority"), name="conv_assignee"),
            models.Index(fields=("team", "status", "-care_priority"), name="conv_team"),
            models.Index(fields=("customer", "-created_at"), name="conv_customer"),
            # Search results walk this, the most recently changed first; the full-text
            # index itself lives outside the ORM (conversations.search_index, migration 0011).
            models.Index(fields=("updated_at", "id"), name="conv_recent"),
            models.Index(
                fields=("-care_priority", "id"), condition=IN_INBOX, name="conv_inbox_open"
            ),
            models.Index(
                fields=("-care_priority", "id"),
                condition=WAITING_IN_INBOX,
                name="conv_inbox_waiting",
            ),
            models.Index(
                fields=("-care_priority", "id"),
                condition=IN_INBOX & models.Q(assignee__isnull=True),
                name="conv_inbox_unassigned",
            ),
            models.Index(
                fields=("-care_priority", "id"),
                condition=models.Q(status=Status.ON_HOLD, merged_into__isnull=True),
                name="conv_inbox_on_hold",
            ),
            models.Index(
                fields=("assignee", "-care_priority", "id"),
                condition=IN_INBOX,
                name="conv_inbox_assignee",
            ),
            models.Index(
                fields=("team", "-care_priority", "id"), condition=IN_INBOX, name="conv_inbox_team"
            ),
        )

    def __str__(self) -> str:
        return self.subject or f"Conversation {self.pk}"

    @property
    def is_waiting_on_us(self) -> bool:
        return self.status in WAITING_ON_US and self.waiting_since is not None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class InboundRecord(models.Model):
    """Everything received, kept raw before any parsing, so nothing is ever lost."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FLAGGED = "flagged", "Flagged (kept, needs a look)"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Message-ID for email, the idempotency key for the API, a client id for chat.
    dedupe_key = models.CharField(max_length=512, unique=True)
    raw = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    problem = models.TextField(blank=True)
    message = models.OneToOneField(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_record"
    )

    class Meta:
        ordering = ("-received_at",)
        indexes = (models.Index(fields=("state", "received_at")),)

    def __str__(self) -> str:
        return f"{self.channel} {self.dedupe_key[:40]} ({self.state})"


class Message(models.Model):
    # An internal note belongs to its author and to the team it was written in, not to
    # whichever team holds the conversation later: reassigning or merging a conversation
    # never hands colleagues' notes to another team. A reply's empathy scores are its
    # author's and their lead's.
    row_ownership: ClassVar[dict[Action, Ownership]] = {
        Action.READ_INTERNAL_NOTES: Ownership(
            owners=("author",), teams=("note_team",), teamless_rows_shared=True
        ),
        Action.SEE_REPLY_SCORES: Ownership(owners=("author",), teams=("author__team",)),
    }

    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    is_internal_note = models.BooleanField(default=False)
    # For internal notes: the team the conversation was with when the note was written.
    note_team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body_text = models.TextField()
    # Sanitised HTML (nh3) when the sender wrote HTML; rendered as-is, never the raw original.
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # For public agent replies: how long the customer had waited for this one (first or next
    # response time), in calendar and business seconds.
    response_seconds = models.PositiveIntegerField(null=True, blank=True)
    response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Email threading headers, kept for outbound replies and inbound matching.
    email_message_id = models.CharField(max_length=512, blank=True, db_index=True)
    # Emotion reading from the empathy engine; null means "not scored yet".
    emotions = models.JSONField(null=True, blank=True)
    distress = models.FloatField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # For public agent replies: the empathy coach's score against the customer's last message.
    # Private to the agent and their coach (see selectors.may_see_reply_score).
    reply_score = models.JSONField(null=True, blank=True)
    # Set when someone other than the customer wrote into the conversation (an email that only
    # carried its reply token): kept and shown to the team, never counted as the customer's.
    unverified_sender = models.CharField(max_length=320, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        indexes = (
            models.Index(fields=("conversation", "created_at")),
            # What the reading tasks claim: customer messages not read yet, oldest first. Small
            # (only the unread), so a claim never walks the whole message table.
            models.Index(
                fields=("id",),
                condition=models.Q(author_kind="customer", scored_at__isnull=True),
                name="msg_unread",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()}: {self.body_text[:60]}"

    @property
    def is_public_reply(self) -> bool:
        return self.author_kind == self.Author.AGENT and not self.is_internal_note


def attachment_path(instance: Attachment, filename: str) -> str:
    # Random names: a stored file is never reachable by guessing or by its original name.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.filename


class ConversationEvent(models.Model):
    """The full history of a conversation: who changed what, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MESSAGE = "message", "Customer wrote"
        REPLY = "reply", "Replied"
        NOTE = "note", "Internal note"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        PRIORITY = "priority", "Priority changed"
        TAGGED = "tagged", "Tags changed"
        MERGED = "merged", "Merged"
        SLA_BREACH = "sla_breach", "SLA breached"
        CHAT_ENDED = "chat_ended", "Chat ended"
        UNVERIFIED = "unverified", "Unverified sender wrote"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class SlaPolicy(models.Model):
    """Targets per priority, counted in business hours."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return f"SLA for {self.get_priority_display()}"


class ChannelSla(models.Model):
    """Per-channel response targets, in business minutes, tighter than the priority's.

    A chat customer is on the page now: their first answer is due in minutes, not hours.
    Empty means the channel follows the priority targets alone.
    """

    channel = models.CharField(max_length=10, choices=Channel.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "channel SLA"
        verbose_name_plural = "channel SLAs"

    def __str__(self) -> str:
        return f"SLA for {self.get_channel_display()}"


class SavedReply(models.Model):
    """A starting point for a reply, with placeholders such as {{ customer.first_name }}."""

    # A team's saved replies are its own; those without a team are everyone's.
    row_ownership: ClassVar[dict[Action, Ownership]] = {
        action: Ownership(teams=("team",), teamless_rows_shared=True)
        for action in (Action.USE_INBOX, Action.MANAGE_INBOX)
    }

    title = models.CharField(max_length=120)
    body = models.TextField()
    team = models.ForeignKey(
        "people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title


class ReplyScoreDispute(models.Model):
    """An agent saying the coach scored their reply wrongly; kept to improve the model."""

    # Reviewed by the agent's lead (coaching.ScoreDisputeVerdict), never by the agent.
    row_ownership: ClassVar[Ownership] = Ownership(owners=("agent",), teams=("agent__team",))

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="score_disputes")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mechanism = models.CharField(
        max_length=24,
        choices=[
            ("emotional_reactions", "Emotional reactions"),
            ("interpretations", "Interpretations"),
            ("explorations", "Explorations"),
        ],
    )
    model_level = models.PositiveSmallIntegerField()
    agent_level = models.PositiveSmallIntegerField(
        choices=[(0, "None"), (1, "Weak"), (2, "Strong")]
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.mechanism}: model {self.model_level}, agent {self.agent_level}"

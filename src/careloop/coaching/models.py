"""Practice by role-play, QA reviews with rubrics, calibration and coaching plans.

Practice scores and QA reviews are about growth, never ranking: they are private to the person
and their coach, and the rubric treats a critical miss as a process failure to learn from.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Ownership

MECHANISMS = ("emotional_reactions", "interpretations", "explorations")


class Scenario(models.Model):
    """A practice conversation: a customer persona, a situation and the customer's turns."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Source(models.TextChoices):
        WRITTEN = "written", "Written by a lead"
        CONVERSATION = "conversation", "From a real conversation (anonymised)"

    title = models.CharField(max_length=200)
    persona = models.TextField(help_text="Who the customer is and how they feel.")
    situation = models.TextField(help_text="What happened before they wrote.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.WRITTEN)
    # Kept for the lead's review of the draft only; trainees never see where it came from.
    source_conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios_written",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class ScenarioTurn(models.Model):
    """One customer message; the first is the opening. The model answer shows after a reply."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="turns")
    position = models.PositiveSmallIntegerField(default=0)
    customer_message = models.TextField()
    model_answer = models.TextField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.customer_message[:60]


class PracticeAttempt(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="attempts")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_attempts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    empathy = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.scenario}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class PracticeReply(models.Model):
    """The trainee's reply to one turn with the empathy coach's reading of it."""

    attempt = models.ForeignKey(PracticeAttempt, on_delete=models.CASCADE, related_name="replies")
    turn = models.ForeignKey(ScenarioTurn, on_delete=models.CASCADE, related_name="+")
    reply_text = models.TextField()
    emotional_reactions = models.PositiveSmallIntegerField()
    interpretations = models.PositiveSmallIntegerField()
    explorations = models.PositiveSmallIntegerField()
    empathy = models.FloatField()
    need = models.CharField(max_length=24)
    customer_distress = models.FloatField(default=0.0)
    suggestion = models.TextField(blank=True)
    # [{"kind": "policy_wall"|"blame", "text": ..., "prompt": ...}]
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["turn__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "turn"], name="one_reply_per_turn")
        ]

    def __str__(self) -> str:
        return self.reply_text[:60]

    @property
    def levels(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in MECHANISMS}


class Rubric(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    class AutoQA(models.TextChoices):
        NONE = "", "None: the reviewer scores it"
        EMPATHY = "empathy", "Overall empathy of the replies"
        EMOTIONAL_REACTIONS = "emotional_reactions", "Emotional reaction"
        INTERPRETATIONS = "interpretations", "Understanding shown"
        EXPLORATIONS = "explorations", "Exploring their needs"
        POLICY_WALLS = "policy_walls", "No policy walls"

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    allows_na = models.BooleanField("N/A allowed", default=True)
    # A critical item is met or missed; a miss points at the process, not the person.
    is_critical = models.BooleanField("Critical (process check)", default=False)
    autoqa = models.CharField(
        "AutoQA pre-fill", max_length=24, choices=AutoQA.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


RATING_LABELS = {0: "Missed", 1: "Needs work", 2: "Okay", 3: "Good", 4: "Excellent"}
MAX_RATING = 4


class CalibrationSession(models.Model):
    """Several reviewers score one conversation blind, then compare their spread."""

    title = models.CharField(max_length=200)
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="+"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibrations")
    revealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None


class QAReview(models.Model):
    # The reviewed agent and the reviewer; the agent's team.
    row_ownership: ClassVar[Ownership] = Ownership(
        owners=("agent", "reviewer"), teams=("agent__team",)
    )

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Shared with the agent"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DISPUTED = "disputed", "Disputed"
        RESOLVED = "resolved", "Dispute resolved"

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews_written"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    # Calibration reviews measure reviewers' agreement; the agent never sees them.
    calibration = models.ForeignKey(
        CalibrationSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    score = models.FloatField(null=True, blank=True)
    process_flag = models.BooleanField(default=False)
    strengths = models.TextField("What went well", blank=True)
    to_grow = models.TextField("One thing to grow", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    agent_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "reviewer"],
                condition=models.Q(calibration__isnull=False),
                name="one_calibration_review_per_reviewer",
            )
        ]

    def __str__(self) -> str:
        return f"QA review of {self.agent} on conversation {self.conversation_id}"


class Rating(models.Model):
    class RootCause(models.TextChoices):
        PROCESS = "process", "Process or policy"
        TOOLING = "tooling", "Tools"
        KNOWLEDGE = "knowledge", "Knowledge or training"
        WORKLOAD = "workload", "Workload or staffing"
        OTHER = "other", "Other"

    review = models.ForeignKey(QAReview, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    is_na = models.BooleanField(default=False)
    autoqa_value = models.PositiveSmallIntegerField(null=True, blank=True)
    autoqa_note = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    # Why a point was missed; it starts at the system, as a learning review would.
    root_cause = models.CharField(
        max_length=10, choices=RootCause.choices, default=RootCause.PROCESS, blank=True
    )

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_rating_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {'N/A' if self.is_na else self.value}"

    @property
    def label(self) -> str:
        if self.is_na:
            return "N/A"
        if self.value is None:
            return "Not rated"
        if self.criterion.is_critical:
            return "Met" if self.value else "Missed: process check"
        return RATING_LABELS[self.value]


class Dispute(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Review upheld"
        REVISED = "revised", "Score revised"

    review = models.ForeignKey(QAReview, on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    score_before = models.FloatField(null=True, blank=True)
    score_after = models.FloatField(null=True, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    raised_notified_at = models.DateTimeField(null=True, blank=True)
    resolved_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(outcome="open"),
                name="one_open_dispute_per_review",
            )
        ]

    def __str__(self) -> str:
        return f"Dispute on review {self.review_id} ({self.outcome})"


class CoachingPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_plans"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_plans_led"
    )
    title = models.CharField(max_length=200)
    goals = models.TextField(help_text="One goal per line, in the person's own words if possible.")
    scenarios = models.ManyToManyField(Scenario, blank=True, related_name="plans")
    next_check_in = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    action_item_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_check_in", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class CheckIn(models.Model):
    plan = models.ForeignKey(CoachingPlan, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.notes[:60]


class ScoreDisputeVerdict(models.Model):
    """The agent's lead on an agent's dispute of the coach's score of a reply.

    Overturned means the agent was right: their level becomes a training example for the next
    `careloop empathy train`, which records the model version that learned it.
    """

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Coach's score confirmed"
        OVERTURNED = "overturned", "Overturned: the agent is right"

    dispute = models.OneToOneField(
        "conversations.ReplyScoreDispute", on_delete=models.CASCADE, related_name="verdict"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    # The model version (metrics.json "version") first trained on this correction.
    learned_by_model = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} (dispute {self.dispute_id})"

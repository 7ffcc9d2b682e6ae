"""Surveys sent to customers and the answers they give."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Action, Ownership
from careloop.core.scales import CES, CSAT, NPS, poor_scores

# A survey and its answer are about the agent who served and their team (snapshots).
SURVEY_OWNERSHIP = Ownership(owners=("agent",), teams=("team",))


class SurveyKind(models.TextChoices):
    POST_RESOLUTION = "post_resolution", "After a conversation"
    RELATIONSHIP = "relationship", "Relationship (NPS)"


class SurveySettings(models.Model):
    """The one set of survey rules for the organisation (a single row)."""

    post_resolution_enabled = models.BooleanField(default=True)
    delay_hours = models.PositiveIntegerField(
        "send after (hours)", default=24, help_text="How long after a conversation is solved."
    )
    ask_csat = models.BooleanField("ask CSAT (1–5)", default=True)
    ask_ces = models.BooleanField("ask CES (1–7)", default=True)
    ask_nps_after_conversation = models.BooleanField(
        "also ask NPS after conversations", default=False
    )
    relationship_enabled = models.BooleanField("relationship NPS surveys", default=True)
    relationship_every_days = models.PositiveIntegerField(
        "ask each customer NPS every (days)", default=180, validators=[MinValueValidator(30)]
    )
    quiet_period_days = models.PositiveIntegerField(
        default=30, help_text="A customer is never surveyed more often than this."
    )
    reminder_after_days = models.PositiveIntegerField(
        default=3,
        help_text="One reminder, this many days after the survey, if unanswered.",
        validators=[MinValueValidator(1)],
    )
    link_valid_days = models.PositiveIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "survey settings"

    def __str__(self) -> str:
        return "Survey settings"


class SurveyQuestion(models.Model):
    """An optional follow-up question asked after the scores, answered in free text."""

    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("kind", "position", "pk")

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    row_ownership: ClassVar[dict[Action, Ownership]] = {Action.VIEW_FEEDBACK: SURVEY_OWNERSHIP}

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        SKIPPED = "skipped", "Skipped"

    class Delivery(models.TextChoices):
        EMAIL = "email", "Email"
        CHAT = "chat", "Chat widget"

    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        "conversations.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    # Snapshots at scheduling time, so reports keep the team and agent the answer was about.
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EMAIL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    skip_reason = models.CharField(max_length=200, blank=True)
    send_after = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The "survey sent" note in a chat; the link itself is shown to the chat's visitor only.
    chat_message = models.OneToOneField(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitation",
    )

    class Meta:
        ordering = ("-send_after", "-pk")
        indexes = (
            models.Index(fields=("status", "send_after")),
            models.Index(fields=("customer", "sent_at")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("conversation", "kind"),
                condition=models.Q(conversation__isnull=False),
                name="one_survey_per_conversation",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} survey for {self.customer}"


class SurveyLink(models.Model):
    """One link sent for an invitation (the survey, then the reminder). Only a hash is kept."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Link for invitation {self.invitation_id}"


class SurveyResponse(models.Model):
    row_ownership: ClassVar[dict[Action, Ownership]] = {Action.VIEW_FEEDBACK: SURVEY_OWNERSHIP}

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        "conversations.Customer", on_delete=models.CASCADE, related_name="survey_responses"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    ces = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # [{"question": "...", "answer": "..."}]: the question's text as it was asked.
    answers = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-answered_at", "-pk")

    def __str__(self) -> str:
        return f"Answer of {self.customer} on {self.answered_at:%Y-%m-%d}"

    @property
    def score_summary(self) -> str:
        parts = [
            f"{scale.label} {value}/{scale.high}"
            for scale, value in ((CSAT, self.csat), (CES, self.ces), (NPS, self.nps))
            if value is not None
        ]
        return " · ".join(parts)

    @property
    def is_detractor(self) -> bool:
        return bool(poor_scores(((NPS, self.nps), (CSAT, self.csat), (CES, self.ces))))

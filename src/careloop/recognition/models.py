"""Kudos between colleagues and success stories backed by the customer's own words."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Ownership


class Kudos(models.Model):
    """Thanks from one colleague to another, tied to one of the organisation's values."""

    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    # The value's name is kept too: an organisation may rename or drop a value later, and
    # the kudos should still say what it was for.
    value = models.ForeignKey(
        "people.Value", on_delete=models.SET_NULL, null=True, blank=True, related_name="kudos"
    )
    value_name = models.CharField(max_length=80)
    message = models.TextField()
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name_plural = "kudos"
        indexes = (models.Index(fields=("created_at",)),)
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("receiver")), name="kudos_not_to_oneself"
            ),
        )

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver}: {self.value_name}"


class StoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_CONSENT = "awaiting_consent", "Awaiting the agent's consent"
    SHARED = "shared", "Shared"
    DECLINED = "declined", "Kept private"


class StoryOrigin(models.TextChoices):
    CUSTOMER_PRAISE = "customer_praise", "Customer praise, surfaced automatically"
    COLLEAGUE = "colleague", "Proposed by a colleague"


class SuccessStory(models.Model):
    """A moment of great service, told with the evidence: the conversation and the customer's
    own words, shared only when the agent agrees."""

    # Until the agent shares it, a story is the agent's and its proposer's alone.
    row_ownership: ClassVar[Ownership] = Ownership(owners=("agent", "proposed_by"))

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="success_stories"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    evidence_message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copied verbatim when the story is made and never edited: the story rests on them.
    customer_words = models.TextField(editable=False)
    source_label = models.CharField(max_length=80)
    # Where the words came from ("message:12", "survey-comment:7"): one story per source.
    source_key = models.CharField(max_length=120, unique=True, editable=False)
    origin = models.CharField(max_length=20, choices=StoryOrigin.choices)
    title = models.CharField(max_length=200)
    note = models.TextField("what happened", blank=True)
    value = models.ForeignKey(
        "people.Value", on_delete=models.SET_NULL, null=True, blank=True, related_name="stories"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories_proposed",
    )
    status = models.CharField(
        max_length=20, choices=StoryStatus.choices, default=StoryStatus.AWAITING_CONSENT
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the agent was emailed that the story waits for them: once per story.
    agent_notified_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name_plural = "success stories"
        indexes = (models.Index(fields=("status", "shared_at")),)

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.status == StoryStatus.SHARED

    @property
    def awaits_consent(self) -> bool:
        return self.status == StoryStatus.AWAITING_CONSENT

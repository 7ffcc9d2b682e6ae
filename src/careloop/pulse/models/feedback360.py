"""360° feedback: who was asked, and answers that keep only the relationship."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Relationship(models.TextChoices):
    PEER = "peer", "Peer"
    REPORT = "report", "Direct report"
    LEAD = "lead", "Lead"


class FeedbackRequest(models.Model):
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    focus = models.TextField(blank=True)
    requested_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_on", "-pk"]

    def __str__(self) -> str:
        return f"360° feedback for {self.subject}"


class FeedbackReviewer(models.Model):
    """Who was asked, in which relationship, and whether they answered; not what they wrote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "reviewer"], name="one_reviewer_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} reviewer"


class FeedbackAnswer(models.Model):
    """Situation, behaviour, impact: one strength and, optionally, one thing to grow."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="answers")
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    strength_situation = models.TextField()
    strength_behaviour = models.TextField()
    strength_impact = models.TextField()
    growth_situation = models.TextField(blank=True)
    growth_behaviour = models.TextField(blank=True)
    growth_impact = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "360° answer"


class FeedbackShare(models.Model):
    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="one_share_per_person")
        ]

    def __str__(self) -> str:
        return f"shared with {self.person}"

"""Learning reviews without blame, and anonymous reports that cannot be traced to their author."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from careloop.core.permissions import Action, Ownership


class ReviewKind(models.TextChoices):
    MISTAKE = "mistake", "Mistake"
    NEAR_MISS = "near_miss", "Near miss"
    COMPLAINT = "complaint", "Customer complaint"
    PROCESS_DEFECT = "process_defect", "Process defect"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Visibility(models.TextChoices):
    TEAM = "team", "Team"
    ORGANISATION = "organisation", "Organisation"


class FactorCategory(models.TextChoices):
    PROCESS = "process", "Process"
    TOOLING = "tooling", "Tooling"
    WORKLOAD = "workload", "Workload / staffing"
    POLICY = "policy", "Policy"
    COMMUNICATION = "communication", "Communication"
    TRAINING = "training", "Training"
    ENVIRONMENT = "environment", "Environment"


class LearningReview(models.Model):
    # A review is its facilitator's, booked to their team. Published reviews are read by the
    # team (see learning.selectors.visible_reviews for drafts and organisation-wide reviews).
    row_ownership: ClassVar[dict[Action, Ownership]] = {
        Action.READ_LEARNING_REVIEWS: Ownership(owners=("facilitator",), teams=("team",)),
        Action.FACILITATE_REVIEW: Ownership(owners=("facilitator",), teams=("team",)),
    }

    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=20, choices=ReviewKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.LOW)
    summary = models.TextField()
    impact = models.TextField(blank=True)
    went_well = models.TextField("what went well", blank=True)
    went_wrong = models.TextField("what went wrong", blank=True)
    got_lucky = models.TextField("where we got lucky", blank=True)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.TEAM
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_reviews"
    )
    conversations = models.ManyToManyField(
        "conversations.Conversation", blank=True, related_name="learning_reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The process-feedback figure as last shown, and how many answers stood behind it: it moves
    # only once a whole batch of new answers is in, so two figures never differ by one rating.
    safety_answers_shown = models.PositiveIntegerField(default=0)
    safety_average_shown = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED


class TimelineEntry(models.Model):
    """A decision point and what was known at the time, not what we know now."""

    review = models.ForeignKey(LearningReview, on_delete=models.CASCADE, related_name="timeline")
    at = models.CharField("when", max_length=40)
    known = models.TextField("what was known at the time")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.at}: {self.known[:60]}"


class ContributingFactor(models.Model):
    """A condition in the system that made the outcome likelier; there is no field for a culprit."""

    review = models.ForeignKey(LearningReview, on_delete=models.CASCADE, related_name="factors")
    category = models.CharField(max_length=20, choices=FactorCategory.choices)
    description = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"


class ParticipantRole(models.TextChoices):
    AUTHOR = "author", "Author"
    REVIEWER = "reviewer", "Reviewer"
    INVOLVED = "involved", "Involved"


class Participant(models.Model):
    review = models.ForeignKey(
        LearningReview, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="one_role_per_participant")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"


class BlameAcknowledgement(models.Model):
    """The facilitator chose to publish although the coach still flagged these passages."""

    review = models.ForeignKey(
        LearningReview, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)
    flags = models.JSONField()

    def __str__(self) -> str:
        return f"{len(self.flags)} flag(s) acknowledged"


# Process feedback: the answer and the "has answered" marker live in separate tables with random
# keys and no timestamps, so neither order nor time links a rating to a person.
class ProcessFeedbackAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(LearningReview, on_delete=models.CASCADE, related_name="+")
    safety = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return "process feedback answer"


class ProcessFeedbackMarker(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(LearningReview, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "participant"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return "process feedback given"


class AnonymousReport(models.Model):
    """A concern with no author: no user, no address, and only the day it arrived."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    body = models.TextField()
    reported_on = models.DateField()
    follow_up_code_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-reported_on"]

    def __str__(self) -> str:
        return f"Anonymous report of {self.reported_on}"


class AnonymousReply(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(AnonymousReport, on_delete=models.CASCADE, related_name="replies")
    from_reporter = models.BooleanField()
    body = models.TextField()
    written_on = models.DateField()
    # Facilitators answer under their name; the reporter's own follow-ups carry no one.
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Reply {self.position}"

"""Themes across comments, concerns and conversation tags."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ThemeSource(models.TextChoices):
    COMMENT = "comment", "Survey comment"
    CONCERN = "concern", "Concern"
    TAGS = "tags", "Conversation tags"


class Theme(models.Model):
    label = models.CharField(max_length=120)
    keywords = models.JSONField(default=list)
    # The L2-normalised float32 centre of the theme, so new texts join it without re-clustering.
    centroid = models.BinaryField()
    renamed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("label",)

    def __str__(self) -> str:
        return self.label


class ThemeAssignment(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    source = models.CharField(max_length=10, choices=ThemeSource.choices)
    source_id = models.PositiveBigIntegerField()
    # Scrubbed of personal data before it was analysed; never the original text.
    text = models.TextField()
    occurred_on = models.DateField(db_index=True)
    emotions = models.JSONField(default=dict)

    class Meta:
        ordering = ("-occurred_on", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("source", "source_id"), name="one_theme_per_text"),
        )

    def __str__(self) -> str:
        return f"{self.source} {self.source_id} in {self.theme}"

from __future__ import annotations

from django.db import models


class Customer(models.Model):
    """Someone the team serves. Customers never sign in to the staff side."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(unique=True, null=True, blank=True)
    company = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, default="en")
    notes = models.TextField(
        blank=True, help_text="Preferences and context the whole team should know."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("full_name",)
        indexes = (models.Index(fields=("created_at",)),)

    def __str__(self) -> str:
        return self.full_name or self.email or f"Customer {self.pk}"

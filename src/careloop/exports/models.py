"""An admin's export of all the organisation's data, built in the background."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def export_path(instance: OrganisationExport, filename: str) -> str:
    # Random names: an export is reachable only through the admin-only download view.
    return f"exports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.zip"


class OrganisationExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # Rows per model, as the manifest inside the file says.
    counts: models.JSONField[dict[str, int]] = models.JSONField(default=dict, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ("-requested_at", "-pk")

    def __str__(self) -> str:
        return f"Export of {self.requested_at:%Y-%m-%d %H:%M} ({self.state})"

"""The team roster: joiners and leavers, for turnover."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RosterChange(models.TextChoices):
    JOINED = "joined", "Joined"
    LEFT = "left", "Left"


class LeavingReason(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    INVOLUNTARY = "involuntary", "Involuntary"


class RosterEvent(models.Model):
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    person_name = models.CharField(max_length=150)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change = models.CharField(max_length=10, choices=RosterChange.choices)
    on = models.DateField()
    reason = models.CharField(max_length=20, choices=LeavingReason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["team", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(change="joined", reason="")
                | models.Q(change="left", reason__in=["voluntary", "involuntary"]),
                name="leavers_have_a_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.get_change_display().lower()} {self.team} on {self.on}"

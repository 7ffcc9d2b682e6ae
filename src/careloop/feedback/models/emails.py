"""Milestone email rules, what they sent, and unsubscribes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailRule(models.Model):
    class Trigger(models.TextChoices):
        FIRST_SOLVED = "first_solved", "First conversation solved"
        RECOVERED = "recovered", "Detractor recovered"
        ANNIVERSARY = "anniversary", "Customer anniversary"

    trigger = models.CharField(max_length=20, choices=Trigger.choices, unique=True)
    enabled = models.BooleanField(default=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Placeholders: {customer_first_name}, {customer_name}, {organisation}, "
        "{years}, {unsubscribe_url}."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("trigger",)

    def __str__(self) -> str:
        return self.get_trigger_display()


class EmailDelivery(models.Model):
    """An email a rule sent; `occasion` lets anniversaries go once a year, others once ever."""

    rule = models.ForeignKey(EmailRule, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey(
        "conversations.Customer", on_delete=models.CASCADE, related_name="+"
    )
    occasion = models.CharField(max_length=20, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sent_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("rule", "customer", "occasion"), name="one_email_per_rule_and_customer"
            ),
        )

    def __str__(self) -> str:
        return f"{self.rule} to {self.customer}"


class EmailOptOut(models.Model):
    """The customer unsubscribed: no survey, reminder or milestone email goes to them again."""

    customer = models.OneToOneField(
        "conversations.Customer", on_delete=models.CASCADE, related_name="email_opt_out"
    )
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.customer} unsubscribed"

"""Daily roll-ups the dashboards read instead of the raw tables. Rebuilt, never edited."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

# Counters of a DailyRollup row, in the order the CSV and the tests list them.
COUNTERS = (
    "conversations_created",
    "conversations_solved",
    "first_response_count",
    "first_response_seconds",
    "first_response_business_seconds",
    "resolution_count",
    "resolution_seconds",
    "resolution_business_seconds",
    "sla_met",
    "sla_breached",
    "reopened",
    "one_touch",
    "surveys_sent",
    "surveys_answered",
    "post_surveys_sent",
    "nps_surveys_sent",
    "csat_positive",
    "csat_total",
    "nps_promoters",
    "nps_detractors",
    "nps_total",
    "ces_sum",
    "ces_total",
    "ces_easy",
    "detractors",
    "recovered",
    "goodwill_count",
    "goodwill_csat_positive",
    "goodwill_csat_total",
    "goodwill_nps_promoters",
    "goodwill_nps_detractors",
    "goodwill_nps_total",
)


class DailyRollup(models.Model):
    """Everything countable about one team's conversations on one channel on one day.

    Days are the organisation's local days. Each counter is attributed to the day of its own
    event: created on creation, first response on the first reply, solved, resolution time,
    SLA, reopens and one-touch on the day first solved, survey figures (those about
    conversations with a goodwill gesture included) on the day the survey was sent, goodwill
    on the day it was granted.
    """

    day = models.DateField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, null=True, related_name="+")
    # "" for relationship surveys, which belong to no conversation.
    channel = models.CharField(max_length=10, blank=True)

    conversations_created = models.PositiveIntegerField(default=0)
    conversations_solved = models.PositiveIntegerField(default=0)
    first_response_count = models.PositiveIntegerField(default=0)
    first_response_seconds = models.BigIntegerField(default=0)
    first_response_business_seconds = models.BigIntegerField(default=0)
    resolution_count = models.PositiveIntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    resolution_business_seconds = models.BigIntegerField(default=0)
    sla_met = models.PositiveIntegerField(default=0)
    sla_breached = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    one_touch = models.PositiveIntegerField(default=0)
    surveys_sent = models.PositiveIntegerField(default=0)
    surveys_answered = models.PositiveIntegerField(default=0)
    post_surveys_sent = models.PositiveIntegerField(default=0)
    nps_surveys_sent = models.PositiveIntegerField(default=0)
    csat_positive = models.PositiveIntegerField(default=0)
    csat_total = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    nps_total = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveIntegerField(default=0)
    ces_total = models.PositiveIntegerField(default=0)
    ces_easy = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    recovered = models.PositiveIntegerField(default=0)
    goodwill_count = models.PositiveIntegerField(default=0)
    goodwill_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # Survey answers about conversations that received a goodwill gesture: its outcomes.
    goodwill_csat_positive = models.PositiveIntegerField(default=0)
    goodwill_csat_total = models.PositiveIntegerField(default=0)
    goodwill_nps_promoters = models.PositiveIntegerField(default=0)
    goodwill_nps_detractors = models.PositiveIntegerField(default=0)
    goodwill_nps_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("day", "team", "channel")
        indexes = (models.Index(fields=("day", "team", "channel"), name="rollup_day_team"),)
        constraints = (
            models.UniqueConstraint(
                fields=("day", "team", "channel"),
                condition=models.Q(team__isnull=False),
                name="one_rollup_per_team_day_channel",
            ),
            models.UniqueConstraint(
                fields=("day", "channel"),
                condition=models.Q(team__isnull=True),
                name="one_rollup_per_teamless_day_channel",
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} {self.team_id or '-'} {self.channel or '-'}"


class CustomerActivity(models.Model):
    """A customer started at least one conversation with a team on a channel that day.

    Kept so retention (distinct customers) is counted without reading conversations.
    """

    day = models.DateField()
    customer_id = models.BigIntegerField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, null=True, related_name="+")
    channel = models.CharField(max_length=10)

    class Meta:
        indexes = (models.Index(fields=("day", "customer_id"), name="activity_day_customer"),)

    def __str__(self) -> str:
        return f"{self.day} customer {self.customer_id}"


class RetentionRollup(models.Model):
    """Retention of one preset period ending on `last_day`, for one scope: all teams (team
    null) or one team, all channels ("") or one channel. Kept so the dashboard reads the
    distinct-customer counts instead of grouping the activity by customer."""

    last_day = models.DateField()
    days = models.PositiveSmallIntegerField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, null=True, related_name="+")
    channel = models.CharField(max_length=10, blank=True)
    at_start = models.PositiveIntegerField(default=0)
    at_end = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("last_day", "days", "team", "channel")
        indexes = (models.Index(fields=("last_day", "days"), name="retention_day_period"),)
        constraints = (
            models.UniqueConstraint(
                fields=("last_day", "days", "team", "channel"),
                condition=models.Q(team__isnull=False),
                name="one_retention_per_team_period",
            ),
            models.UniqueConstraint(
                fields=("last_day", "days", "channel"),
                condition=models.Q(team__isnull=True),
                name="one_retention_per_teamless_period",
            ),
        )

    def __str__(self) -> str:
        return f"{self.last_day} {self.days}d {self.team_id or '-'} {self.channel or '-'}"


class TeamEmpathyMonth(models.Model):
    """The empathy of a team's scored public replies in one month (organisation's time zone).

    Shown only where `agents` reaches the privacy minimum; never broken down by agent.
    """

    month = models.DateField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    replies = models.PositiveIntegerField(default=0)
    empathy_sum = models.FloatField(default=0.0)
    agents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("month", "team")
        constraints = (
            models.UniqueConstraint(
                fields=("month", "team"), name="one_empathy_row_per_team_month"
            ),
        )

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} team {self.team_id}"

    @property
    def empathy(self) -> float | None:
        return self.empathy_sum / self.replies if self.replies else None


class JourneyStage(models.Model):
    """A stage of the organisation's customer journey (discover, buy, use, get help...)."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    """Where the customer meets us in a stage; conversations attach through tags and channel."""

    stage = models.ForeignKey(JourneyStage, on_delete=models.CASCADE, related_name="touchpoints")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    # Conversations with any of these tags (and on this channel, when one is set) belong here.
    tags = models.ManyToManyField("conversations.Tag", blank=True, related_name="+")
    channel = models.CharField(max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return f"{self.stage}: {self.name}"

"""Team voice: pulse surveys with anonymity by construction, the idea box, 360° feedback, roster.

Survey answers are kept apart from the people who gave them: an `Invitation` says only that a
person was asked and has answered (to stop a second answer and to aim the one reminder), while a
`Response` carries no person, no time and a random key, so neither a join, an order nor a clock
links the two. Comments are stored apart from responses too, already scrubbed of names.

Storage order is no clock either: answers wait in a `PendingResponse` pool rewritten in random
order on every answer, reach `Response`, `Answer` and `Comment` only in shuffled batches of at
least the minimum group, and a closing round's rows are all rewritten in random order (see
`careloop.pulse.services.answer_pool`), so neither a row id, SQLite's rowid nor PostgreSQL's
physical order says who answered first.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from careloop.core import calendar

MIN_GROUP_FLOOR = 3
DEFAULT_MIN_GROUP = 5
DEFAULT_MIN_COMMENT_GROUP = 10


class Cadence(models.TextChoices):
    ONCE = "once", "Once"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every quarter"


class PrivacyMode(models.TextChoices):
    ANONYMOUS_TEAMS = "anonymous_teams", "Anonymous, reported by team"
    ANONYMOUS_ORGANISATION = (
        "anonymous_organisation",
        "Anonymous, reported for the whole organisation only",
    )


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"


class Module(models.TextChoices):
    PSYCH_SAFETY = "psych_safety", "Psychological safety"
    ENGAGEMENT = "engagement", "Engagement"
    ENPS = "enps", "eNPS"
    CUSTOM = "custom", "Custom"


class QuestionKind(models.TextChoices):
    AGREEMENT = "agreement", "Agreement, 1 (strongly disagree) to 7 (strongly agree)"
    SCALE_0_10 = "scale_0_10", "0 (not at all likely) to 10 (extremely likely)"
    COMMENT = "comment", "Open comment"


class Survey(models.Model):
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    privacy_mode = models.CharField(
        max_length=30, choices=PrivacyMode.choices, default=PrivacyMode.ANONYMOUS_TEAMS
    )
    status = models.CharField(
        max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    # Who is asked: members of these teams, or every employee when none are chosen.
    teams = models.ManyToManyField("people.Team", blank=True, related_name="+")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    first_round_on = models.DateField()
    open_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(default=3)
    # Locked once the survey is live: changing it mid-series would unsettle what was promised.
    min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP, validators=[MinValueValidator(MIN_GROUP_FLOOR)]
    )
    min_comment_group = models.PositiveSmallIntegerField(default=DEFAULT_MIN_COMMENT_GROUP)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status == SurveyStatus.LIVE

    @property
    def reports_by_team(self) -> bool:
        return self.privacy_mode == PrivacyMode.ANONYMOUS_TEAMS


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    module = models.CharField(max_length=20, choices=Module.choices)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    # Built-in items keep a stable code so trends and benchmarks survive rewording.
    code = models.CharField(max_length=40, blank=True)
    construct = models.CharField(max_length=80, blank=True)
    text = models.CharField(max_length=300)
    reverse_scored = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    def scored(self, value: int) -> int:
        """The value with negatively worded agreement items turned around (8 − x)."""
        return 8 - value if self.reverse_scored else value


class Round(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    announced_on = models.DateField(null=True, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    # Set once the participation counts are kept and the "answered" flags forgotten.
    settled = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="one_round_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · round {self.number} ({self.opens_on:%b %Y})"

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or calendar.today()
        return self.closed_on is None and self.opens_on <= today <= self.closes_on

    def is_closed(self, today: datetime.date | None = None) -> bool:
        return self.closed_on is not None or self.closes_on < (today or calendar.today())

    @property
    def period_label(self) -> str:
        return f"{self.opens_on:%B %Y}"


class Invitation(models.Model):
    """That a person was asked in a round, and whether they answered: never what they answered.

    No timestamps: the row is made when the round opens and only its flags change afterwards.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # None once the round is settled: from then on nothing says who answered.
    answered = models.BooleanField(null=True, default=False)
    reminded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="one_invitation_per_round")
        ]

    def __str__(self) -> str:
        return "invitation"


class RoundParticipation(models.Model):
    """How many were asked and answered in a closed round, per team.

    Written when a round closes; the invitations' "answered" flags are then cleared, so once a
    round is over nothing records who answered it, only how many did.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participation")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.answered} of {self.invited}"


class Response(models.Model):
    """One person's answers to one round, with their team as it was and nothing else about them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # Random keys: reading in key order says nothing about who answered first.
        ordering = ["id"]

    def __str__(self) -> str:
        return "response"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "answer"


class Comment(models.Model):
    """A free-text answer, scrubbed of names, deliberately not tied to the scores beside it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "comment"


class PendingResponse(models.Model):
    """One answered form waiting in the pool, its scores and scrubbed comments in one row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {question id: value} and {question id: comment}; keys are strings, as JSON has them.
    answers = models.JSONField(default=dict)
    comments = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "pending response"

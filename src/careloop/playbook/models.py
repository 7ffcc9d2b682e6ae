"""The living knowledge base: articles with every version kept, owners and review dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core import calendar


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal (the team only)"
    PUBLIC = "public", "Public (help centre)"


class Article(models.Model):
    """The current text of an article; its history lives in ArticleVersion."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    category = models.CharField(max_length=80, blank=True)
    body = models.TextField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="playbook_articles"
    )
    review_by = models.DateField()
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    # The real case the article was written from, if any.
    source_conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The shared encoder's float32 vector of title and body, for meaning-based search.
    vector = models.BinaryField(default=b"", editable=False)
    version_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("title",)
        indexes = (
            models.Index(fields=("visibility", "title")),
            models.Index(fields=("review_by",)),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def is_stale(self, today: object = None) -> bool:
        return self.review_by < (today or calendar.today())  # type: ignore[operator]


class ArticleVersion(models.Model):
    """One saved state of an article; every edit adds one, none is ever changed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-number",)
        constraints = (
            models.UniqueConstraint(fields=("article", "number"), name="one_article_version"),
        )

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleRevision(models.Model):
    """A change to a published article waiting for a lead's approval.

    The help centre shows the article as published until the change is approved, which makes
    it a new version; an article has at most one change waiting, which its author keeps editing.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=80, blank=True)
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_as = models.OneToOneField(
        ArticleVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="revision"
    )

    class Meta:
        ordering = ("-proposed_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("article",),
                condition=models.Q(approved_at__isnull=True),
                name="one_pending_revision_per_article",
            ),
        )

    def __str__(self) -> str:
        return f"Change to {self.article_id} by {self.proposed_by_id}"

    @property
    def is_pending(self) -> bool:
        return self.approved_at is None


class ArticleVote(models.Model):
    """A "was this useful?" answer from a colleague or an anonymous help-centre visitor."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A random per-browser key for help-centre visitors; nothing that identifies them.
    visitor_key = models.CharField(max_length=64, blank=True)
    useful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("article", "voter"),
                condition=models.Q(voter__isnull=False),
                name="one_vote_per_colleague",
            ),
            models.UniqueConstraint(
                fields=("article", "visitor_key"),
                condition=~models.Q(visitor_key=""),
                name="one_vote_per_visitor",
            ),
        )

    def __str__(self) -> str:
        return f"{self.article_id}: {'useful' if self.useful else 'not useful'}"

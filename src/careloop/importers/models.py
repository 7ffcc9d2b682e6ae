"""What an import run did, and which careloop row each record of another helpdesk became."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ExternalReference(models.Model):
    """One record of another helpdesk (a Zendesk ticket, a Help Scout thread) and the careloop
    row it became. The unique constraint is what makes a re-run create nothing new: a record
    already referenced is skipped, in the same transaction that would have written it."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        CONVERSATION = "conversation", "Conversation"
        MESSAGE = "message", "Message"

    source = models.CharField(max_length=20)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Messages are "conversation id/message id": some exports number messages per conversation.
    external_id = models.CharField(max_length=255)
    object_id = models.PositiveBigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("source", "kind", "external_id"), name="one_row_per_external_record"
            ),
        )
        indexes = (models.Index(fields=("kind", "object_id"), name="external_reference_row"),)

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} → {self.object_id}"


class ImportRun(models.Model):
    """One `careloop import`: its file, how far it got (the checkpoint a re-run resumes from)
    and what it created."""

    class State(models.TextChoices):
        RUNNING = "running", "Running (or interrupted)"
        FINISHED = "finished", "Finished"

    source = models.CharField(max_length=20)
    path = models.CharField(max_length=1000)
    checksum = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Source records (conversations) fully handled, in file order: a re-run skips this many.
    checkpoint = models.PositiveIntegerField(default=0)
    conversations_created = models.PositiveIntegerField(default=0)
    messages_created = models.PositiveIntegerField(default=0)
    customers_created = models.PositiveIntegerField(default=0)
    agents_created = models.PositiveIntegerField(default=0)
    # Records already imported by an earlier run.
    already_present = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-pk")
        indexes = (models.Index(fields=("source", "checksum", "state"), name="import_run_resume"),)

    def __str__(self) -> str:
        return f"{self.source} import of {self.path} ({self.state})"


class ImportProblem(models.Model):
    """A record an import could not bring in, and why; the rest of the file still imports."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    location = models.CharField(max_length=300)
    external_id = models.CharField(max_length=200, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"

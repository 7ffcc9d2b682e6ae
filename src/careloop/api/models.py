"""API keys, and the responses kept so a retried request gets the same answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.api.scopes import Scope


class ApiKey(models.Model):
    """A secret an integration sends as `Authorization: Bearer <key>`.

    It acts as its owner, an active employee: with their rights, on the rows they may see,
    and only within its scopes.
    """

    name = models.CharField(max_length=120, help_text="What the key is for, e.g. 'Shop backend'.")
    # The key's first characters, so people can tell keys apart without the secret.
    prefix = models.CharField(max_length=24, unique=True)
    # SHA-256 of the whole key. A fast hash is enough: keys carry 256 random bits, so there is
    # nothing to brute-force, and a plain hash lets a request find its key by index.
    secret_sha256 = models.CharField(max_length=64, unique=True)
    # The person the key acts as. A key whose owner left (or was removed) stops working.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="owned_api_keys",
    )
    # `Scope` values: what the key may touch, whatever its owner may do beyond that.
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_keys",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: Scope) -> bool:
        return scope.value in self.scopes


class ApiIdempotentResponse(models.Model):
    """What the first request with an Idempotency-Key was answered; every retry gets the same.

    The request itself is the linked `InboundRecord` (raw bytes, kept before processing).
    """

    record = models.OneToOneField(
        "conversations.InboundRecord",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="api_response",
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="responses")
    idempotency_key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # Of method, path and body: a retry must be the same request, not just the same key.
    request_sha256 = models.CharField(max_length=64)
    # Both empty while the first request is still being processed (or failed unexpectedly).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API idempotent response"

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.idempotency_key}] → {self.status_code or '…'}"

    @property
    def is_complete(self) -> bool:
        return self.status_code is not None

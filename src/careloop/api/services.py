"""Issuing, finding and revoking API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from careloop.api.models import API_KEY_ROLES, ApiKey
from careloop.core.audit import record_audit
from careloop.core.permissions import Role
from careloop.people.models import User

KEY_PREFIX = "cl_"
# Recording every use would write on every request; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(*, name: str, role: Role, created_by: User | None) -> tuple[ApiKey, str]:
    """A new key and its secret. The secret is returned this once and never stored."""
    if role not in API_KEY_ROLES:
        raise ValueError(f"An API key acts with a staff role, not {role.value!r}.")
    prefix = f"{KEY_PREFIX}{secrets.token_hex(6)}"
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        secret_sha256=secret_sha256(secret),
        role=role,
        created_by=created_by,
    )
    record_audit(created_by, "api_key.created", key, summary=f"{key.name} ({role.value})")
    return key, secret


def api_key_for_secret(secret: str) -> ApiKey | None:
    """The key with this secret, revoked or not; None when no key has it."""
    return (
        ApiKey.objects.select_related("created_by")
        .filter(secret_sha256=secret_sha256(secret))
        .first()
    )


def note_use(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        key.last_used_at = now
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


def revoke_api_key(key: ApiKey, actor: User | None = None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record_audit(actor, "api_key.revoked", key, summary=key.name)
    return key

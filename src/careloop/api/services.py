"""Issuing, rotating, finding and revoking API keys, and recording what each key did."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from careloop.api.models import ApiKey
from careloop.api.scopes import Scope, scopes_from
from careloop.core.audit import record_audit
from careloop.people.models import User

KEY_PREFIX = "cl_"
# Recording every use would write on every request; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_own_a_key(person: User | None) -> bool:
    """A key acts as a person: an active employee."""
    return person is not None and person.is_active and person.is_employee


def _new_secret() -> tuple[str, str]:
    prefix = f"{KEY_PREFIX}{secrets.token_hex(6)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def create_api_key(
    *, name: str, owner: User, scopes: Iterable[Scope | str], created_by: User | None
) -> tuple[ApiKey, str]:
    """A new key acting as `owner` within `scopes`, and its secret: returned once, never stored."""
    if not may_own_a_key(owner):
        raise ValueError("An API key acts as an active employee.")
    chosen = scopes_from([Scope(scope) for scope in scopes])
    if not chosen:
        raise ValueError("Give the key at least one scope.")
    prefix, secret = _new_secret()
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        secret_sha256=secret_sha256(secret),
        owner=owner,
        scopes=[scope.value for scope in chosen],
        created_by=created_by,
    )
    record_audit(
        created_by,
        "api_key.created",
        key,
        summary=f"{key.name} ({key.prefix}) as {owner.email}: {', '.join(key.scopes)}",
    )
    return key, secret


@transaction.atomic
def rotate_api_key(key: ApiKey, actor: User | None) -> str:
    """A new secret for the same key; the old secret stops working at once."""
    if key.is_revoked:
        raise ValueError("A revoked key cannot be rotated; issue a new one.")
    old_prefix = key.prefix
    key.prefix, secret = _new_secret()
    key.secret_sha256 = secret_sha256(secret)
    key.save(update_fields=["prefix", "secret_sha256"])
    record_audit(actor, "api_key.rotated", key, summary=f"{key.name}: {old_prefix} → {key.prefix}")
    return secret


def api_key_for_secret(secret: str) -> ApiKey | None:
    """The key with this secret, revoked or not; None when no key has it."""
    return (
        ApiKey.objects.select_related("owner", "owner__team")
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
        record_audit(actor, "api_key.revoked", key, summary=f"{key.name} ({key.prefix})")
    return key


def record_key_use(key: ApiKey, *, method: str, path: str, status_code: int) -> None:
    """One request made with `key`, in the audit log: its owner as actor, the key as target."""
    verb = "api_key.read" if method in ("GET", "HEAD", "OPTIONS") else "api_key.write"
    record_audit(
        key.owner,
        verb,
        key,
        summary=f"{key.prefix} {method} {path[:200]} → {status_code}",
    )

"""The audit trail: every sensitive read and administrative change is recorded here.

Domains call `record_audit(...)` in the same transaction as the change (or right after the
read), so a change never lands without its entry.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from careloop.core.models import AuditEvent


def target_type_of(target: Model) -> str:
    return target._meta.label_lower


def record_audit(
    actor: Any,
    action: str,
    target: Model | None = None,
    *,
    summary: str = "",
) -> AuditEvent:
    """Append one entry; `actor` is a user, or None for the system (a task, a customer)."""
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if signed_in else None,
        actor_label=getattr(actor, "email", "") if signed_in else "",
        actor_role=getattr(actor, "role", "") if signed_in else "",
        action=action,
        target_type=target_type_of(target) if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
    )


def audit_events_for(target: Model) -> QuerySet[AuditEvent]:
    """The trail of one object, newest first."""
    return AuditEvent.objects.filter(target_type=target_type_of(target), target_id=str(target.pk))


def audit_log(*, action_prefix: str = "") -> QuerySet[AuditEvent]:
    """The whole trail, newest first, optionally narrowed to one domain ("concern.")."""
    events = AuditEvent.objects.all()
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events

"""The audit trail: every sensitive read and administrative change is recorded here.

Domains call `record_audit(...)` in the same transaction as the change (or right after the
read), so a change never lands without its entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

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


ERASED_SUMMARY = "[erased]"


def forget_audit_text(model: type[Model], pks: Iterable[object]) -> int:
    """Blank the summaries that copied text about these rows (a story's title, a customer's
    name in an admin change); who did what, and when, stays. Returns the entries changed."""
    ids = [str(pk) for pk in pks]
    if not ids:
        return 0
    changed = (
        AuditEvent.objects.filter(target_type=model._meta.label_lower, target_id__in=ids)
        .exclude(summary__in=("", ERASED_SUMMARY))
        .update(summary=ERASED_SUMMARY)
    )
    admin_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=ids,
    )
    return changed + admin_entries.update(object_repr=ERASED_SUMMARY, change_message="")


def forget_audit_text_naming(texts: Iterable[str]) -> int:
    """Blank every summary that contains one of `texts` (a customer's name or address)."""
    wanted = [Q(summary__icontains=text) for text in texts if len(text.strip()) >= 4]
    if not wanted:
        return 0
    return AuditEvent.objects.filter(reduce(or_, wanted)).update(summary=ERASED_SUMMARY)


def audit_log(*, action_prefix: str = "") -> QuerySet[AuditEvent]:
    """The whole trail, newest first, optionally narrowed to one domain ("concern.")."""
    events = AuditEvent.objects.all()
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events

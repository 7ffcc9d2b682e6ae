"""Every change made in Django's admin site also lands in careloop's audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from careloop.core.models import AuditEvent

VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry, dispatch_uid="careloop-admin-audit")
def mirror_admin_change(
    sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any
) -> None:
    if not created:
        return
    user = instance.user
    model = instance.content_type.model if instance.content_type else "object"
    AuditEvent.objects.create(
        actor=user,
        actor_label=getattr(user, "email", ""),
        actor_role=getattr(user, "role", ""),
        action=f"admin.{VERBS.get(instance.action_flag, 'acted')}",
        target_type=(f"{instance.content_type.app_label}.{model}" if instance.content_type else ""),
        target_id=instance.object_id or "",
        summary=instance.object_repr[:300],
    )

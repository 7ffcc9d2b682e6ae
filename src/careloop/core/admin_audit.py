"""Every change made in Django's admin site also lands in careloop's audit trail.

The admin writes its own log (LogEntry) through `ModelAdmin.log_addition`, `log_change` and
`log_deletions`; careloop's admin site gives every ModelAdmin registered with it (careloop's,
Django's own User and Group admins alike) those three methods extended to write the audit entry
from the same call, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from careloop.core.models import AuditEvent

VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def audit_admin_entries(entries: Iterable[LogEntry], actor: Any) -> None:
    """One audit entry per admin log entry, naming the admin and the object."""
    events = []
    for entry in entries:
        content_type = (
            ContentType.objects.get_for_id(entry.content_type_id) if entry.content_type_id else None
        )
        events.append(
            AuditEvent(
                actor=actor,
                actor_label=getattr(actor, "email", ""),
                actor_role=getattr(actor, "role", ""),
                action=f"admin.{VERBS.get(entry.action_flag, 'acted')}",
                target_type=(
                    f"{content_type.app_label}.{content_type.model}" if content_type else ""
                ),
                target_id=entry.object_id or "",
                summary=entry.object_repr[:300],
            )
        )
    AuditEvent.objects.bulk_create(events)


class AuditedModelAdmin[AdminModel: Model](admin.ModelAdmin[AdminModel]):
    """A ModelAdmin whose log entries are also written to careloop's audit trail."""

    def log_addition(self, request: HttpRequest, obj: AdminModel, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        audit_admin_entries([entry], request.user)
        return entry

    def log_change(self, request: HttpRequest, obj: AdminModel, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        audit_admin_entries([entry], request.user)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[AdminModel]) -> list[LogEntry]:
        entries = list(super().log_deletions(request, queryset))
        audit_admin_entries(entries, request.user)
        return entries


class AuditedAdminSite(admin.AdminSite):
    """careloop's admin site (the default `admin.site`): every ModelAdmin it registers is
    audited, so no app (nor Django's own) can add an admin that changes data unrecorded."""

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)


def audited(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
    """`admin_class` with the audit added (the class itself if it has it already)."""
    if issubclass(admin_class, AuditedModelAdmin):
        return admin_class
    # As AdminSite.register itself does for options: a subclass made on the spot.
    return type(
        admin_class.__name__,
        (AuditedModelAdmin, admin_class),
        {"__module__": admin_class.__module__},
    )

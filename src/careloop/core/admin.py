from django.contrib import admin
from django.http import HttpRequest

from careloop.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is appended to by the product, never edited by hand."""

    list_display = ("at", "actor_label", "actor_role", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_id", "summary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

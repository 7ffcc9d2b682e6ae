from django.contrib import admin
from django.http import HttpRequest

from careloop.importers.models import ImportProblem, ImportRun


class ImportProblemInline(admin.TabularInline[ImportProblem, ImportRun]):
    model = ImportProblem
    fields = ("location", "external_id", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    """Read-only: what `careloop import` did, and the records it could not bring in."""

    list_display = (
        "started_at",
        "source",
        "path",
        "state",
        "conversations_created",
        "messages_created",
        "already_present",
        "failed",
    )
    list_filter = ("source", "state")
    readonly_fields = tuple(field.name for field in ImportRun._meta.fields)
    inlines = (ImportProblemInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False

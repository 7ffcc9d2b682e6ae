from django.contrib import admin

from careloop.actions.models import ActionItem, AgendaItem, FeedbackSession


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin[ActionItem]):
    list_display = ("title", "owner", "status", "due", "source_kind", "source_label")
    list_filter = ("status", "kind", "source_kind")
    search_fields = ("title",)
    raw_id_fields = ("owner", "created_by")


class AgendaItemInline(admin.TabularInline[AgendaItem, FeedbackSession]):
    model = AgendaItem
    extra = 0
    raw_id_fields = ("author",)


@admin.register(FeedbackSession)
class FeedbackSessionAdmin(admin.ModelAdmin[FeedbackSession]):
    list_display = ("title", "lead", "person", "team", "next_on", "recurrence_days")
    raw_id_fields = ("lead", "person")
    inlines = [AgendaItemInline]

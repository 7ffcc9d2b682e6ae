from django.contrib import admin

from careloop.pulse.models import Idea, RosterEvent, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ("title", "status", "cadence", "min_group_size", "privacy_mode")
    # Thresholds lock once live; the admin shows them but the services decide.
    readonly_fields = ("min_group_size", "min_comment_group", "status", "launched_at")


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin[Idea]):
    list_display = ("title", "status", "submitted_on", "respond_by")
    # The author of an anonymous idea is never stored, so there is nothing to show.
    exclude = ("follow_up_code_hash",)


@admin.register(RosterEvent)
class RosterEventAdmin(admin.ModelAdmin[RosterEvent]):
    list_display = ("person_name", "team", "change", "on", "reason")
    list_filter = ("change", "reason", "team")

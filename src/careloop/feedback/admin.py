from django.contrib import admin

from careloop.feedback.models import (
    CauseTag,
    EmailRule,
    RecoveryTask,
    SurveyInvitation,
    SurveyQuestion,
    SurveySettings,
    Theme,
)

# Concerns are deliberately absent: they are read only through the audited concerns pages.
admin.site.register(SurveySettings)
admin.site.register(SurveyQuestion)
admin.site.register(CauseTag)
admin.site.register(EmailRule)
admin.site.register(Theme)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin[SurveyInvitation]):
    list_display = ("customer", "kind", "status", "send_after", "sent_at", "answered_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("customer", "conversation", "team", "agent")


@admin.register(RecoveryTask)
class RecoveryTaskAdmin(admin.ModelAdmin[RecoveryTask]):
    list_display = ("customer", "owner", "status", "outcome", "due_at")
    list_filter = ("status", "outcome")
    raw_id_fields = ("response", "customer", "owner", "closed_by")

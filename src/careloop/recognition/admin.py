from django.contrib import admin

from careloop.recognition.models import Kudos, SuccessStory


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin[Kudos]):
    list_display = ("giver", "receiver", "value_name", "created_at")
    raw_id_fields = ("giver", "receiver", "conversation")


@admin.register(SuccessStory)
class SuccessStoryAdmin(admin.ModelAdmin[SuccessStory]):
    list_display = ("title", "agent", "status", "origin", "created_at")
    list_filter = ("status", "origin")
    raw_id_fields = ("agent", "conversation", "evidence_message", "proposed_by")
    readonly_fields = ("customer_words", "source_key")

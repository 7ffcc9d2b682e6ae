from django.contrib import admin

from careloop.notifications.models import Notification, NotificationSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("recipient", "kind", "text", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin[NotificationSettings]):
    list_display = ("person", "digest", "last_digest_at")
    raw_id_fields = ("person",)

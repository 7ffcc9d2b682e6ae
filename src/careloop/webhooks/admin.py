from django.contrib import admin

from careloop.webhooks.models import ChatChannel, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("url", "enabled", "consecutive_failures", "disabled_at", "created_at")
    exclude = ("secret",)  # shown once, on Settings → Integrations


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("event_type", "event_id", "endpoint", "status", "attempts", "created_at")
    list_filter = ("status", "event_type")


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin[ChatChannel]):
    list_display = ("service", "team", "enabled", "last_sent_at", "last_error_at")

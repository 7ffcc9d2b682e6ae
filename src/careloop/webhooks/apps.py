from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "careloop.webhooks"
    label = "webhooks"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from careloop.core.events import EVENT_TYPES, subscribe
        from careloop.core.privacy import ExpirySource, register_customer_data, register_expiry
        from careloop.webhooks import chat, services

        subscribe("webhooks", EVENT_TYPES, services.fan_out)
        subscribe("chat", chat.EVENTS, chat.notify_channels)
        register_customer_data(services.CUSTOMER_DATA)
        register_expiry(ExpirySource("webhook_deliveries", services.purge_old_deliveries))

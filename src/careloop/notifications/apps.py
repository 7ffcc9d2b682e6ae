from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "careloop.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from careloop.notifications import services

        services.register_privacy_sources()

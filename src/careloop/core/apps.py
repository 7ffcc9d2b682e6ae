from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "careloop.core"
    label = "core"
    verbose_name = "careloop core"

    def ready(self) -> None:
        from careloop.core.models import AuditEvent
        from careloop.core.privacy import RetentionSource, register_retention

        register_retention(
            RetentionSource(
                "audit_events",
                "Audit log entries",
                2 * 365,
                lambda cutoff: AuditEvent.objects.filter(at__lt=cutoff).delete()[0],
            )
        )

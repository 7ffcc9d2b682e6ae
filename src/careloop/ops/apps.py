from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "careloop.ops"
    label = "ops"
    verbose_name = "careloop operations"

    def ready(self) -> None:
        from careloop.ops import checks  # noqa: F401  (registers system checks)

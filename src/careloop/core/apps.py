from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "careloop.core"
    label = "core"
    verbose_name = "careloop core"

    def ready(self) -> None:
        from careloop.core import checks  # noqa: F401  (registers system checks)

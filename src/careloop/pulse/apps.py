from django.apps import AppConfig


class PulseConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.pulse"
    verbose_name = "Team voice"

    def ready(self) -> None:
        from django.apps import apps

        if apps.is_installed("careloop.insights"):
            from careloop.pulse.culture_sources import register

            register()

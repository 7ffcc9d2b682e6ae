from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

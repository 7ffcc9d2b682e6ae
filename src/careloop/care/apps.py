from django.apps import AppConfig


class CareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.care"
    label = "care"
    verbose_name = "Goodwill gestures and allowances"

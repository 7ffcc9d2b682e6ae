from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        from careloop.core.privacy import register_customer_data
        from careloop.initiatives.customer_data import CUSTOMER_DATA

        register_customer_data(CUSTOMER_DATA)

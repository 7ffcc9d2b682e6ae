from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "careloop.importers"
    label = "importers"
    verbose_name = "Imports from other helpdesks"

    def ready(self) -> None:
        from careloop.core import privacy
        from careloop.importers import customer_data

        privacy.register_customer_data(customer_data.IMPORTED_CUSTOMERS)

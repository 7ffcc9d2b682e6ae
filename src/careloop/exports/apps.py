from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "careloop.exports"
    label = "exports"
    verbose_name = "Organisation export"

    def ready(self) -> None:
        from careloop.core import privacy
        from careloop.exports import services

        privacy.register_expiry(
            privacy.ExpirySource("organisation_exports", services.purge_expired_exports)
        )
        privacy.register_customer_data(
            privacy.CustomerDataSource(
                "organisation_exports", None, services.erase_customer_from_exports
            )
        )

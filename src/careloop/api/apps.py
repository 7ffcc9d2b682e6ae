from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "careloop.api"
    label = "api"
    verbose_name = "Public API"

    def ready(self) -> None:
        from careloop.api.customer_data import CUSTOMER_DATA
        from careloop.api.idempotency import purge_expired_answers
        from careloop.core.privacy import (
            ExpirySource,
            register_customer_data,
            register_expiry,
        )

        register_customer_data(CUSTOMER_DATA)
        register_expiry(ExpirySource("api_idempotent_responses", purge_expired_answers))

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "careloop.feedback"
    label = "feedback"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from careloop.core.privacy import register_customer_data
        from careloop.feedback import receivers  # noqa: F401 - connects the signal receivers
        from careloop.feedback.customer_data import CUSTOMER_DATA

        register_customer_data(CUSTOMER_DATA)

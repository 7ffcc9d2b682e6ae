from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "careloop.recognition"
    label = "recognition"
    verbose_name = "Recognition: kudos and success stories"

    def ready(self) -> None:
        from careloop.core.privacy import register_customer_data
        from careloop.recognition import receivers
        from careloop.recognition.customer_data import CUSTOMER_DATA

        receivers.connect()
        register_customer_data(CUSTOMER_DATA)

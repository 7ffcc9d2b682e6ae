from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "careloop.conversations"
    label = "conversations"
    verbose_name = "Customers and conversations"

    def ready(self) -> None:
        from careloop.conversations import customer_data
        from careloop.core import privacy

        privacy.register_customer_data(customer_data.CUSTOMER_DATA)
        for source in customer_data.RETENTION:
            privacy.register_retention(source)

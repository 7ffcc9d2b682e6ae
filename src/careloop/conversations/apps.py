from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "careloop.conversations"
    label = "conversations"
    verbose_name = "Customers and conversations"

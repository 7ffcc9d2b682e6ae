from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "careloop.feedback"
    label = "feedback"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from careloop.feedback import receivers  # noqa: F401 - connects the signal receivers

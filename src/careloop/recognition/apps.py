from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "careloop.recognition"
    label = "recognition"
    verbose_name = "Recognition: kudos and success stories"

    def ready(self) -> None:
        from careloop.recognition import receivers

        receivers.connect()

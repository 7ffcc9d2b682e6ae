from django.apps import AppConfig, apps


class RecognitionConfig(AppConfig):
    name = "careloop.recognition"
    label = "recognition"
    verbose_name = "Recognition: kudos and success stories"

    def ready(self) -> None:
        from careloop.conversations.hooks import customer_messages_read
        from careloop.core.privacy import register_customer_data
        from careloop.recognition import tasks
        from careloop.recognition.customer_data import CUSTOMER_DATA

        customer_messages_read.subscribe(tasks.surface_praise_in_messages_read)
        if apps.is_installed("careloop.feedback"):
            from careloop.feedback.hooks import survey_answered

            survey_answered.subscribe(tasks.surface_praise_in_survey_answer)
        register_customer_data(CUSTOMER_DATA)

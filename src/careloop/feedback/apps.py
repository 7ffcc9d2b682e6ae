from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "careloop.feedback"
    label = "feedback"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from careloop.conversations.channels.visitor_links import register_visitor_links
        from careloop.core.privacy import register_customer_data
        from careloop.feedback import receivers  # noqa: F401 - connects the signal receivers
        from careloop.feedback.customer_data import CUSTOMER_DATA
        from careloop.feedback.surveys import chat_survey_links

        register_customer_data(CUSTOMER_DATA)
        register_visitor_links("feedback.survey", chat_survey_links)

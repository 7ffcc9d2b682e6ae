from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "careloop.feedback"
    label = "feedback"
    verbose_name = "Voice of the customer"

    def ready(self) -> None:
        from careloop.conversations.channels.visitor_links import register_visitor_links
        from careloop.conversations.hooks import conversation_solved
        from careloop.core.privacy import register_customer_data
        from careloop.feedback.customer_data import CUSTOMER_DATA
        from careloop.feedback.services.surveys import chat_survey_links
        from careloop.feedback.tasks import schedule_survey_when_solved

        conversation_solved.subscribe(schedule_survey_when_solved)
        register_customer_data(CUSTOMER_DATA)
        from careloop.core import home
        from careloop.core.permissions import Action
        from careloop.feedback.selectors import own_csat_figures

        # Those given conversations to answer see how their own customers rated them.
        home.register_tile(
            home.HomeTile(
                "own-csat",
                home.Group.YOUR_WORK,
                Action.RECEIVE_ASSIGNMENTS,
                own_csat_figures,
                order=5,
            )
        )
        register_visitor_links("feedback.survey", chat_survey_links)

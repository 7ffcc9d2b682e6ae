from django.apps import AppConfig


class CareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.care"
    label = "care"
    verbose_name = "Goodwill gestures and allowances"

    def ready(self) -> None:
        from django.apps import apps

        from careloop.care.customer_data import CUSTOMER_DATA
        from careloop.core.privacy import register_customer_data

        register_customer_data(CUSTOMER_DATA)
        from careloop.care.selectors import approval_figures
        from careloop.core import home
        from careloop.core.permissions import Action

        home.register_tile(
            home.HomeTile(
                "approvals", home.Group.YOUR_TEAM, Action.APPROVE_GESTURES, approval_figures
            )
        )
        if apps.is_installed("careloop.feedback"):
            from careloop.care.outcomes import register_survey_score_source
            from careloop.care.survey_scores import scores_from_feedback

            register_survey_score_source(scores_from_feedback)

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "careloop.insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from careloop.core import home
        from careloop.core.permissions import Action
        from careloop.insights.selectors import headline_figures

        home.register_tile(
            home.HomeTile("headlines", home.Group.HEADLINES, Action.VIEW_INSIGHTS, headline_figures)
        )

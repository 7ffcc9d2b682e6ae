from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "careloop.actions"
    label = "actions"
    verbose_name = "Action items and feedback sessions"

    def ready(self) -> None:
        from careloop.actions import selectors
        from careloop.core import home
        from careloop.core.permissions import Action

        home.register_tile(
            home.HomeTile(
                "my-overdue-items",
                home.Group.YOUR_WORK,
                Action.SEE_ACTION_ITEMS,
                selectors.my_overdue_figures,
                order=10,
            )
        )
        home.register_tile(
            home.HomeTile(
                "overdue-items",
                home.Group.YOUR_TEAM,
                Action.SEE_ACTION_ITEMS,
                selectors.overseen_overdue_figures,
                order=10,
            )
        )

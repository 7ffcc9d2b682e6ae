from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "careloop.conversations"
    label = "conversations"
    verbose_name = "Customers and conversations"

    def ready(self) -> None:
        from careloop.conversations import customer_data, selectors
        from careloop.core import home, privacy
        from careloop.core.permissions import Action

        privacy.register_customer_data(customer_data.CUSTOMER_DATA)
        for source in customer_data.RETENTION:
            privacy.register_retention(source)
        home.register_tile(
            home.HomeTile("work", home.Group.YOUR_WORK, Action.USE_INBOX, selectors.work_figures)
        )
        # Leads (who shape the inbox's work) see their team's queue.
        home.register_tile(
            home.HomeTile(
                "team-queue",
                home.Group.YOUR_TEAM,
                Action.MANAGE_INBOX,
                selectors.team_queue_figures,
            )
        )

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _keep_search_index(using: str = "default", **kwargs: Any) -> None:
    # A later migration that rebuilds the conversation table on SQLite drops its triggers.
    from careloop.conversations import search_index
    from careloop.conversations.models import Conversation

    database = connections[using]
    if database.vendor == "sqlite" and (
        Conversation._meta.db_table in database.introspection.table_names()
    ):
        search_index.install(database)


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
        post_migrate.connect(_keep_search_index, sender=self)

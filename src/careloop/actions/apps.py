from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "careloop.actions"
    label = "actions"
    verbose_name = "Action items and feedback sessions"

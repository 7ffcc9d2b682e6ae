from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "careloop.playbook"
    label = "playbook"
    verbose_name = "Playbook"

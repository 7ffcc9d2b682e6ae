from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "careloop.people"
    label = "people"
    verbose_name = "People and teams"

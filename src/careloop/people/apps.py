from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "careloop.people"
    label = "people"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from careloop.core import home
        from careloop.people.selectors import current_organisation

        home.register_organisation(current_organisation)

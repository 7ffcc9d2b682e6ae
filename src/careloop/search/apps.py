from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "careloop.search"
    label = "search"
    verbose_name = "Search over everything"

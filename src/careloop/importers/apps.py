from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "careloop.importers"
    label = "importers"
    verbose_name = "Imports from other helpdesks"

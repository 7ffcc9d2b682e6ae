from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "careloop.exports"
    label = "exports"
    verbose_name = "Organisation export"

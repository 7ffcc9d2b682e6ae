from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "careloop.demo"
    label = "demo"
    verbose_name = "Demo organisation"

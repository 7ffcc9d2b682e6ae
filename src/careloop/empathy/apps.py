from django.apps import AppConfig


class EmpathyConfig(AppConfig):
    name = "careloop.empathy"
    label = "empathy"
    verbose_name = "Empathy engine"

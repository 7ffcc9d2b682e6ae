from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "careloop.coaching"
    label = "coaching"
    verbose_name = "Role-play practice and QA reviews"

from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "careloop.coaching"
    label = "coaching"
    verbose_name = "Practice by role-play, and QA reviews"

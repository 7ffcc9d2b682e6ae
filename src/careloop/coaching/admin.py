"""Scenarios and rubrics only: practice, reviews and plans are private to people and coaches."""

from django.contrib import admin

from careloop.coaching.models import Rubric, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin[Scenario]):
    list_display = ("title", "status", "source", "created_at")
    list_filter = ("status", "source")


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin[Rubric]):
    list_display = ("name", "is_active", "created_at")

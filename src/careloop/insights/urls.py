from django.urls import path

from careloop.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/export.csv", views.dashboard_csv, name="export"),
    path("insights/retention/", views.retention_figure, name="retention"),
    path("insights/definitions/", views.definitions, name="definitions"),
    path("insights/culture/", views.culture_analytics, name="culture"),
    path("insights/journey/", views.journey, name="journey"),
    path("insights/journey/stages/<int:pk>/", views.journey_stage, name="journey-stage"),
    path(
        "insights/journey/touchpoints/<int:pk>/",
        views.journey_touchpoint,
        name="journey-touchpoint",
    ),
]

from django.urls import path

from careloop.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit-log"),
    path("settings/retention/", views.retention_settings, name="retention"),
]

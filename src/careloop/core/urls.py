from django.urls import path

from careloop.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit-log"),
]
urlpatterns += [
    path(f"{slug}/", views.section_view(slug), name=f"section-{slug}")
    for slug in (
        "feedback",
        "care",
        "recognition",
        "playbook",
        "coaching",
        "insights",
    )
]

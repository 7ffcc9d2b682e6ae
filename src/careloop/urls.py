from django.contrib import admin
from django.urls import include, path

from careloop.core.permissions import Action

# Django's admin guards itself (is_staff); the permission audit reads this declaration.
admin.site.required_action = Action.USE_ADMIN_SITE  # type: ignore[attr-defined]
admin.site.site_header = "careloop administration"

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("careloop.api.urls")),
    path("", include("careloop.api.key_urls")),
    path("", include("careloop.webhooks.urls")),
    path("", include("careloop.people.urls")),
    path("", include("careloop.conversations.urls")),
    path("", include("careloop.learning.urls")),
    path("", include("careloop.actions.urls")),
    path("", include("careloop.care.urls")),
    path("", include("careloop.coaching.urls")),
    path("", include("careloop.feedback.urls")),
    path("", include("careloop.recognition.urls")),
    path("", include("careloop.playbook.urls")),
    path("", include("careloop.pulse.urls")),
    path("", include("careloop.insights.urls")),
    path("", include("careloop.initiatives.urls")),
    path("", include("careloop.notifications.urls")),
    path("", include("careloop.search.urls")),
    path("", include("careloop.exports.urls")),
    path("", include("careloop.ops.urls")),
    path("", include("careloop.core.urls")),
]

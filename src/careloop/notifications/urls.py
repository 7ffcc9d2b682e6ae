from django.urls import path

from careloop.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/badge/", views.badge, name="badge"),
    path("notifications/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read-all"),
    path("notifications/digest/", views.digest_settings, name="digest"),
]

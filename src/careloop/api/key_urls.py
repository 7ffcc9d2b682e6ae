"""Settings → API keys (server-rendered pages; the API itself is careloop.api.urls)."""

from django.urls import path

from careloop.api import views

app_name = "api_keys"

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="list"),
    path("settings/api-keys/rotate/", views.rotate_api_key, name="rotate"),
    path("settings/api-keys/revoke/", views.revoke_api_key, name="revoke"),
]

"""Settings → API keys (server-rendered pages; the API itself is careloop.api.urls)."""

from django.urls import path

from careloop.api import key_views

app_name = "api_keys"

urlpatterns = [
    path("settings/api-keys/", key_views.api_keys, name="list"),
    path("settings/api-keys/rotate/", key_views.rotate_api_key, name="rotate"),
    path("settings/api-keys/revoke/", key_views.revoke_api_key, name="revoke"),
]

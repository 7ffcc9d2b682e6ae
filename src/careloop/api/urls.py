from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from careloop.core.permissions import public

app_name = "api"

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
]

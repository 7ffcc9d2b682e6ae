from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from careloop.api import views
from careloop.api.views import endpoint
from careloop.care import api as care_api
from careloop.core.permissions import public

app_name = "api"

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("conversations/", endpoint(views.ConversationsView), name="conversations"),
    path(
        "conversations/<int:conversation_id>/",
        endpoint(views.ConversationView),
        name="conversation",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        endpoint(views.ConversationMessagesView),
        name="conversation-messages",
    ),
    path("customers/<int:customer_id>/", endpoint(views.CustomerView), name="customer"),
    path(
        "gestures/to-execute/",
        endpoint(care_api.GesturesToExecuteView),
        name="gestures-to-execute",
    ),
    path(
        "gestures/executions/",
        endpoint(care_api.GestureExecutionsView),
        name="gesture-executions",
    ),
]

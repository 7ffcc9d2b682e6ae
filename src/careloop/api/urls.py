from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from careloop.api import batch, views
from careloop.api.views import endpoint, not_found
from careloop.care import api as care_api
from careloop.core.permissions import public


class RowIdConverter:
    """A row id: 1–18 ASCII digits, so no id overflows a 64-bit column (an unknown id is 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowIdConverter, "row_id")

app_name = "api"

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("conversations/", endpoint(views.ConversationsView), name="conversations"),
    path(
        "conversations/batch/",
        endpoint(batch.ConversationsBatchView),
        name="conversations-batch",
    ),
    path(
        "conversations/<row_id:conversation_id>/",
        endpoint(views.ConversationView),
        name="conversation",
    ),
    path(
        "conversations/<row_id:conversation_id>/messages/",
        endpoint(views.ConversationMessagesView),
        name="conversation-messages",
    ),
    path("customers/<row_id:customer_id>/", endpoint(views.CustomerView), name="customer"),
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
    # Anything else under the API is a JSON 404, never the site's HTML page.
    re_path(r"^.*$", public(not_found)),
]

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from careloop.api import views
from careloop.api.endpoints import ideas, insights, learning, playbook, pulse, recognition
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
    path("learning/reviews/", endpoint(learning.ReviewsView), name="learning-reviews"),
    path(
        "learning/reviews/<row_id:review_id>/",
        endpoint(learning.ReviewView),
        name="learning-review",
    ),
    path(
        "learning/action-items/",
        endpoint(learning.ActionItemsView),
        name="learning-action-items",
    ),
    path(
        "learning/action-items/<row_id:item_id>/status/",
        endpoint(learning.ActionItemStatusView),
        name="learning-action-item-status",
    ),
    path(
        "learning/anonymous-reports/",
        endpoint(learning.AnonymousReportsView),
        name="learning-anonymous-reports",
    ),
    path("ideas/", endpoint(ideas.IdeasView), name="ideas"),
    path("ideas/<uuid:idea_id>/", endpoint(ideas.IdeaView), name="idea"),
    path("ideas/<uuid:idea_id>/answer/", endpoint(ideas.IdeaAnswerView), name="idea-answer"),
    path("recognition/kudos/", endpoint(recognition.KudosView), name="kudos"),
    path("recognition/stories/", endpoint(recognition.StoriesView), name="stories"),
    # The help centre's articles are public, as its pages are: no key.
    path("help/articles/", public(playbook.HelpArticlesView.as_view()), name="help-articles"),
    path(
        "help/articles/<slug:slug>/",
        public(playbook.HelpArticleView.as_view()),
        name="help-article",
    ),
    path("playbook/articles/", endpoint(playbook.ArticlesView), name="playbook-articles"),
    path(
        "playbook/articles/<row_id:article_id>/",
        endpoint(playbook.ArticleView),
        name="playbook-article",
    ),
    path("pulse/surveys/", endpoint(pulse.SurveysView), name="pulse-surveys"),
    path(
        "pulse/surveys/<row_id:survey_id>/results/",
        endpoint(pulse.SurveyResultsView),
        name="pulse-results",
    ),
    path("insights/metrics/", endpoint(insights.MetricsView), name="insights-metrics"),
    # Anything else under the API is a JSON 404, never the site's HTML page.
    re_path(r"^[\s\S]*$", public(not_found)),
]

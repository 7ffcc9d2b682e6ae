from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from careloop.api import batch
from careloop.api.base import endpoint, not_found
from careloop.api.endpoints import (
    conversation_actions,
    conversations,
    customers,
    feedback,
    goodwill,
    ideas,
    insights,
    learning,
    playbook,
    pulse,
    recognition,
    saved_replies,
)
from careloop.api.endpoints import webhooks as webhooks_api
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
    path("conversations/", endpoint(conversations.ConversationsView), name="conversations"),
    path(
        "conversations/batch/",
        endpoint(batch.ConversationsBatchView),
        name="conversations-batch",
    ),
    path(
        "conversations/<row_id:conversation_id>/",
        endpoint(conversations.ConversationView),
        name="conversation",
    ),
    path(
        "conversations/<row_id:conversation_id>/messages/",
        endpoint(conversations.ConversationMessagesView),
        name="conversation-messages",
    ),
    path(
        "conversations/<row_id:conversation_id>/assign/",
        endpoint(conversation_actions.AssignView),
        name="conversation-assign",
    ),
    path(
        "conversations/<row_id:conversation_id>/tags/",
        endpoint(conversation_actions.TagsView),
        name="conversation-tags",
    ),
    path(
        "conversations/<row_id:conversation_id>/status/",
        endpoint(conversation_actions.StatusView),
        name="conversation-status",
    ),
    path(
        "conversations/<row_id:conversation_id>/notes/",
        endpoint(conversation_actions.NotesView),
        name="conversation-notes",
    ),
    path("customers/", endpoint(customers.CustomersView), name="customers"),
    path("customers/<row_id:customer_id>/", endpoint(customers.CustomerView), name="customer"),
    path(
        "customers/<row_id:customer_id>/merge/",
        endpoint(customers.CustomerMergeView),
        name="customer-merge",
    ),
    path(
        "customers/<row_id:customer_id>/export/",
        endpoint(customers.CustomerExportView),
        name="customer-export",
    ),
    path("saved-replies/", endpoint(saved_replies.SavedRepliesView), name="saved-replies"),
    path(
        "saved-replies/<row_id:saved_reply_id>/",
        endpoint(saved_replies.SavedReplyView),
        name="saved-reply",
    ),
    path("surveys/", endpoint(feedback.SurveysView), name="surveys"),
    path("survey-answers/", endpoint(feedback.AnswersView), name="survey-answers"),
    path(
        "survey-answers/<row_id:answer_id>/",
        endpoint(feedback.AnswerView),
        name="survey-answer",
    ),
    path("recovery-tasks/", endpoint(feedback.RecoveryTasksView), name="recovery-tasks"),
    path(
        "recovery-tasks/<row_id:task_id>/",
        endpoint(feedback.RecoveryTaskView),
        name="recovery-task",
    ),
    path(
        "recovery-tasks/<row_id:task_id>/contacts/",
        endpoint(feedback.RecoveryContactsView),
        name="recovery-task-contacts",
    ),
    path(
        "recovery-tasks/<row_id:task_id>/close/",
        endpoint(feedback.RecoveryCloseView),
        name="recovery-task-close",
    ),
    path("gestures/", endpoint(goodwill.GesturesView), name="gestures"),
    path("gestures/<row_id:gesture_id>/", endpoint(goodwill.GestureView), name="gesture"),
    path(
        "gestures/to-execute/",
        endpoint(goodwill.GesturesToExecuteView),
        name="gestures-to-execute",
    ),
    path(
        "gestures/executions/",
        endpoint(goodwill.GestureExecutionsView),
        name="gesture-executions",
    ),
    path("allowances/", endpoint(goodwill.AllowancesView), name="allowances"),
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
    path("webhook-events/", endpoint(webhooks_api.WebhookEventsView), name="webhook-events"),
    # Anything else under the API is a JSON 404, never the site's HTML page (even a path
    # holding a newline, which `.` would not match).
    re_path(r"^", public(not_found)),
]

from django.urls import include, path

from careloop.conversations import (
    chat_views,
    inbox_views,
    panel_views,
    privacy_views,
    settings_views,
    views,
)

app_name = "conversations"

urlpatterns = [
    path("", include("careloop.conversations.channels.urls")),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:pk>/", views.customer, name="customer"),
    path("customers/<int:pk>/merge/", views.merge_customer, name="customer-merge"),
    path("customers/<int:pk>/export/", privacy_views.export_customer, name="customer-export"),
    path("customers/<int:pk>/erase/", privacy_views.erase_customer, name="customer-erase"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("inbox/settings/", settings_views.inbox_settings_page, name="inbox-settings"),
    path("inbox/saved-replies/new/", settings_views.saved_reply_edit, name="saved-reply-new"),
    path("inbox/saved-replies/<int:pk>/", settings_views.saved_reply_edit, name="saved-reply-edit"),
    path(
        "inbox/saved-replies/<int:pk>/delete/",
        settings_views.saved_reply_delete,
        name="saved-reply-delete",
    ),
    path("chat/", include(chat_views.urlpatterns)),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/bulk/", inbox_views.bulk_action, name="bulk"),
    path("inbox/live/", inbox_views.inbox_live, name="inbox-live"),
    path("inbox/pick/", inbox_views.conversation_picker, name="conversation-picker"),
    path("inbox/<int:pk>/", inbox_views.conversation, name="conversation"),
    path("inbox/<int:pk>/reply/", inbox_views.reply, name="reply"),
    path("inbox/<int:pk>/settings/", inbox_views.update_settings, name="settings"),
    path("inbox/<int:pk>/merge/", inbox_views.merge, name="merge"),
    path("inbox/<int:pk>/saved-reply/", inbox_views.saved_reply_text, name="saved-reply"),
    path("inbox/<int:pk>/customer/", panel_views.customer_panel, name="customer-panel"),
    path(
        "inbox/<int:pk>/saved-replies/", panel_views.saved_reply_choice, name="saved-reply-choice"
    ),
    path("inbox/<int:pk>/presence/", inbox_views.presence_check, name="presence"),
    path("inbox/<int:pk>/live/", inbox_views.thread_live, name="thread-live"),
    path("inbox/<int:pk>/coach/", inbox_views.coach, name="coach"),
    path(
        "inbox/messages/<int:message_pk>/dispute/",
        inbox_views.dispute_reply_score,
        name="dispute-score",
    ),
]

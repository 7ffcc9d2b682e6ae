from django.urls import include, path

from careloop.conversations.views import (
    attachments,
    chat,
    conversation,
    customers,
    inbox,
    panels,
    privacy,
    settings,
)

app_name = "conversations"

urlpatterns = [
    path("", include("careloop.conversations.channels.urls")),
    path("customers/", customers.customers, name="customers"),
    path("customers/<int:pk>/", customers.customer, name="customer"),
    path("customers/<int:pk>/merge/", customers.merge_customer, name="customer-merge"),
    path("customers/<int:pk>/export/", privacy.export_customer, name="customer-export"),
    path("customers/<int:pk>/erase/", privacy.erase_customer, name="customer-erase"),
    path("attachments/<int:pk>/", attachments.attachment, name="attachment"),
    path("inbox/settings/", settings.inbox_settings_page, name="inbox-settings"),
    path("inbox/saved-replies/new/", settings.saved_reply_edit, name="saved-reply-new"),
    path("inbox/saved-replies/<int:pk>/", settings.saved_reply_edit, name="saved-reply-edit"),
    path(
        "inbox/saved-replies/<int:pk>/delete/",
        settings.saved_reply_delete,
        name="saved-reply-delete",
    ),
    path("chat/", include(chat.urlpatterns)),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bulk/", inbox.bulk_action, name="bulk"),
    path("inbox/live/", inbox.inbox_live, name="inbox-live"),
    path("inbox/pick/", inbox.conversation_picker, name="conversation-picker"),
    path("inbox/<int:pk>/", conversation.conversation, name="conversation"),
    path("inbox/<int:pk>/reply/", conversation.reply, name="reply"),
    path("inbox/<int:pk>/settings/", conversation.update_settings, name="settings"),
    path("inbox/<int:pk>/merge/", conversation.merge, name="merge"),
    path("inbox/<int:pk>/saved-reply/", conversation.saved_reply_text, name="saved-reply"),
    path("inbox/<int:pk>/customer/", panels.customer_panel, name="customer-panel"),
    path("inbox/<int:pk>/saved-replies/", panels.saved_reply_choice, name="saved-reply-choice"),
    path("inbox/<int:pk>/presence/", conversation.presence_check, name="presence"),
    path("inbox/<int:pk>/live/", conversation.thread_live, name="thread-live"),
    path("inbox/<int:pk>/coach/", conversation.coach, name="coach"),
    path(
        "inbox/messages/<int:message_pk>/dispute/",
        conversation.dispute_reply_score,
        name="dispute-score",
    ),
]

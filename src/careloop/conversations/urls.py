from django.urls import path

from careloop.conversations import inbox_views, views

app_name = "conversations"

urlpatterns = [
    path("customers/", views.customers, name="customers"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/bulk/", inbox_views.bulk_action, name="bulk"),
    path("inbox/<int:pk>/", inbox_views.conversation, name="conversation"),
    path("inbox/<int:pk>/reply/", inbox_views.reply, name="reply"),
    path("inbox/<int:pk>/settings/", inbox_views.update_settings, name="settings"),
    path("inbox/<int:pk>/merge/", inbox_views.merge, name="merge"),
    path("inbox/<int:pk>/saved-reply/", inbox_views.saved_reply_text, name="saved-reply"),
    path("inbox/<int:pk>/presence/", inbox_views.presence_check, name="presence"),
]

from django.urls import path

from careloop.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/integrations/", views.integrations, name="list"),
    path("settings/integrations/chat/", views.add_chat_channel, name="chat-add"),
    path("settings/integrations/chat/remove/", views.remove_chat_channel, name="chat-remove"),
    path("settings/integrations/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
]

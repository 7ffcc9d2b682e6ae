from django.urls import path

from careloop.recognition import views

app_name = "recognition"

urlpatterns = [
    path("recognition/", views.home, name="home"),
    path("recognition/mine/", views.mine, name="mine"),
    path("recognition/kudos/new/", views.give_kudos, name="kudos-new"),
    path("recognition/stories/<int:pk>/", views.story, name="story"),
    path("recognition/stories/<int:pk>/edit/", views.story_edit, name="story-edit"),
    path("recognition/stories/<int:pk>/consent/", views.story_consent, name="story-consent"),
    path("recognition/stories/<int:pk>/decline/", views.story_decline, name="story-decline"),
    path("recognition/stories/<int:pk>/ask/", views.story_ask, name="story-ask"),
    path(
        "recognition/conversations/<int:conversation_pk>/story/",
        views.story_propose,
        name="story-propose",
    ),
]

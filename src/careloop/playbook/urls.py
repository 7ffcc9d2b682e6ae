from django.urls import path

from careloop.playbook import views

app_name = "playbook"

urlpatterns = [
    path("playbook/", views.index, name="index"),
    path("playbook/stale/", views.stale, name="stale"),
    path("playbook/new/", views.article_new, name="article-new"),
    path("playbook/articles/<int:pk>/", views.article, name="article"),
    path("playbook/articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("playbook/articles/<int:pk>/history/", views.history, name="history"),
    path("playbook/articles/<int:pk>/versions/<int:number>/", views.version, name="version"),
    path(
        "playbook/articles/<int:pk>/versions/<int:number>/restore/",
        views.restore,
        name="version-restore",
    ),
    path(
        "playbook/articles/<int:pk>/revisions/<int:revision_pk>/approve/",
        views.approve_revision,
        name="revision-approve",
    ),
    path("playbook/articles/<int:pk>/vote/", views.vote, name="vote"),
    path("playbook/articles/<int:pk>/reviewed/", views.reviewed, name="reviewed"),
    path("playbook/promote/<int:conversation_pk>/", views.promote, name="promote"),
    path(
        "playbook/conversations/<int:conversation_pk>/suggestions/",
        views.suggestions,
        name="suggestions",
    ),
    path("help/", views.help_centre, name="help-centre"),
    path("help/<slug:slug>/", views.help_article, name="help-article"),
    path("help/<slug:slug>/vote/", views.help_vote, name="help-vote"),
]

from django.urls import path

from careloop.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.ledger, name="ledger"),
    path("actions/new/", views.item_create, name="item-create"),
    path("actions/<int:item_id>/", views.item_detail, name="item"),
    path("actions/you-said-we-did/", views.you_said_we_did, name="feed"),
    path("actions/sessions/", views.sessions, name="sessions"),
    path("actions/sessions/new/", views.session_create, name="session-create"),
    path("actions/sessions/<int:session_id>/", views.session_detail, name="session"),
]

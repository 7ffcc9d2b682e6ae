from django.urls import path

from careloop.exports import views

app_name = "exports"

urlpatterns = [
    path("organisation-export/", views.export_list, name="list"),
    path("organisation-export/new/", views.request_export, name="request"),
    path("organisation-export/<int:pk>/download/", views.download, name="download"),
]

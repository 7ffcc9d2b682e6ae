from django.urls import path

from careloop.exports import views

app_name = "exports"

urlpatterns = [
    path("export/", views.export_list, name="list"),
    path("export/new/", views.request_export, name="request"),
    path("export/<int:pk>/download/", views.download, name="download"),
]

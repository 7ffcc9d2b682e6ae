from django.urls import path

from careloop.conversations import views

app_name = "conversations"

urlpatterns = [
    path("customers/", views.customers, name="customers"),
]

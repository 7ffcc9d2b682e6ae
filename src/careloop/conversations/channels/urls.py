from django.urls import path

from careloop.conversations.channels import email_views

urlpatterns = [
    path("inbound/email/", email_views.inbound_email, name="inbound-email"),
]

from django.urls import path

from careloop.learning import views

app_name = "learning"

urlpatterns = [
    path("learning/", views.review_list, name="reviews"),
    path("learning/new/", views.review_create, name="review-create"),
    path("learning/blame-check/", views.blame_check, name="blame-check"),
    path("learning/<int:pk>/", views.review_detail, name="review"),
    path("learning/<int:pk>/edit/", views.review_edit, name="review-edit"),
    path("learning/<int:pk>/submit/", views.review_submit, name="review-submit"),
    path("learning/<int:pk>/publish/", views.review_publish, name="review-publish"),
    path("learning/<int:pk>/action-items/", views.review_action_item, name="review-action-item"),
    path("learning/<int:pk>/feedback/", views.review_feedback, name="review-feedback"),
    path("learning/report/", views.report_create, name="report"),
    path("learning/report/follow-up/", views.report_follow_up, name="report-follow-up"),
    path("learning/reports/", views.report_inbox, name="report-inbox"),
    path("learning/reports/<uuid:pk>/", views.report_thread, name="report-thread"),
]

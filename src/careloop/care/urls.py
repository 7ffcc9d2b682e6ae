from django.urls import path

from careloop.care import views

app_name = "care"

urlpatterns = [
    path("care/", views.home, name="home"),
    path("care/conversations/<int:pk>/grant/", views.grant, name="grant"),
    path("care/conversations/<int:pk>/panel/", views.conversation_panel, name="conversation-panel"),
    path("care/gestures/<int:pk>/", views.gesture_detail, name="gesture"),
    path("care/gestures/<int:pk>/decide/", views.decide, name="decide"),
    path("care/gestures/<int:pk>/retry/", views.retry, name="retry"),
    path("care/gestures/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("care/approvals/", views.approvals, name="approvals"),
    path("care/allowances/", views.allowances, name="allowances"),
    path("care/outcomes/", views.outcome_report, name="outcomes"),
    path("care/reconciliation/", views.reconciliation, name="reconciliation"),
]

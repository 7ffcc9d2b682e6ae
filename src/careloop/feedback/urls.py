from django.urls import path

from careloop.feedback.views import concerns, public, settings, staff

app_name = "feedback"

urlpatterns = [
    path("feedback/", staff.overview, name="overview"),
    path("feedback/recovery/", staff.recovery_list, name="recovery-list"),
    path("feedback/recovery/<int:pk>/", staff.recovery_detail, name="recovery"),
    path("feedback/causes/", staff.cause_backlog, name="causes"),
    path("feedback/causes/<int:pk>/promote/", staff.promote_cause, name="cause-promote"),
    path("feedback/themes/", staff.themes, name="themes"),
    path("feedback/themes/refresh/", staff.theme_refresh, name="theme-refresh"),
    path("feedback/themes/<int:pk>/rename/", staff.theme_rename, name="theme-rename"),
    path("feedback/settings/", settings.survey_settings, name="settings"),
    path("feedback/settings/questions/<int:pk>/", settings.question_toggle, name="question-toggle"),
    path("feedback/emails/", settings.email_rules, name="email-rules"),
    path("feedback/emails/<int:pk>/", settings.email_rule_edit, name="email-rule"),
    path("feedback/concerns/", concerns.concern_queue, name="concerns"),
    path("feedback/concerns/<int:pk>/", concerns.concern_detail, name="concern"),
    # Customers' pages: no sign-in.
    path("survey/<str:token>/", public.answer_survey, name="answer"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("concern/", public.raise_concern, name="concern-new"),
    path("concern/follow-up/", public.concern_follow_up, name="concern-follow-up"),
]

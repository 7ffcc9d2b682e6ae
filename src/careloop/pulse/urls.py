from django.urls import path

from careloop.pulse.views import feedback360, ideas, results, roster, surveys

app_name = "pulse"

urlpatterns = [
    path("pulse/", surveys.home, name="home"),
    path("pulse/surveys/", surveys.survey_list, name="surveys"),
    path("pulse/surveys/new/", surveys.survey_create, name="survey-create"),
    path("pulse/surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("pulse/surveys/<int:pk>/questions/", surveys.survey_question, name="survey-question"),
    path("pulse/surveys/<int:pk>/thresholds/", surveys.survey_thresholds, name="survey-thresholds"),
    path("pulse/surveys/<int:pk>/launch/", surveys.survey_launch, name="survey-launch"),
    path("pulse/surveys/<int:pk>/end/", surveys.survey_end, name="survey-end"),
    path("pulse/rounds/<int:pk>/close/", surveys.round_close, name="round-close"),
    path("pulse/rounds/<int:pk>/", surveys.answer, name="answer"),
    path("pulse/results/", results.results_list, name="results-list"),
    path("pulse/results/<int:pk>/", results.results, name="results"),
    path("pulse/results/<int:pk>/plan/", results.plan_action, name="plan-action"),
    path("pulse/results/<int:pk>/export.csv", results.results_export, name="results-export"),
    path("pulse/ideas/", ideas.idea_list, name="ideas"),
    path("pulse/ideas/new/", ideas.idea_create, name="idea-create"),
    path("pulse/ideas/follow-up/", ideas.idea_follow_up, name="idea-follow-up"),
    path("pulse/ideas/<uuid:pk>/", ideas.idea_detail, name="idea"),
    path("pulse/ideas/<uuid:pk>/respond/", ideas.idea_respond, name="idea-respond"),
    path("pulse/feedback/", feedback360.feedback_home, name="feedback-home"),
    path("pulse/feedback/new/", feedback360.feedback_create, name="feedback-create"),
    path("pulse/feedback/<int:pk>/", feedback360.feedback_detail, name="feedback"),
    path("pulse/feedback/<int:pk>/answer/", feedback360.feedback_answer, name="feedback-answer"),
    path("pulse/feedback/<int:pk>/share/", feedback360.feedback_share, name="feedback-share"),
    path("pulse/feedback/<int:pk>/close/", feedback360.feedback_close, name="feedback-close"),
    path("pulse/roster/", roster.roster, name="roster"),
    path("pulse/roster/import/", roster.roster_import, name="roster-import"),
]

from django.urls import path

from careloop.coaching.views import plans, practice, reviews, score_disputes

app_name = "coaching"

urlpatterns = [
    path("coaching/", practice.home, name="home"),
    path("coaching/scenarios/", practice.scenario_list, name="scenarios"),
    path("coaching/scenarios/new/", practice.scenario_create, name="scenario-create"),
    path(
        "coaching/scenarios/from-conversation/",
        practice.scenario_from_conversation,
        name="scenario-from-conversation",
    ),
    path("coaching/scenarios/<int:pk>/", practice.scenario_detail, name="scenario"),
    path("coaching/scenarios/<int:pk>/edit/", practice.scenario_edit, name="scenario-edit"),
    path(
        "coaching/scenarios/<int:pk>/publish/",
        practice.scenario_publish,
        name="scenario-publish",
    ),
    path("coaching/scenarios/<int:pk>/start/", practice.attempt_start, name="attempt-start"),
    path("coaching/practice/<int:pk>/", practice.attempt_detail, name="attempt"),
    path("coaching/practice/<int:pk>/reply/", practice.attempt_reply, name="attempt-reply"),
    path("coaching/progress/", practice.progress, name="progress"),
    path("coaching/progress/<int:user_id>/", practice.progress, name="progress-of"),
    path("coaching/reviews/", reviews.review_list, name="reviews"),
    path("coaching/reviews/new/", reviews.review_create, name="review-create"),
    path("coaching/reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("coaching/reviews/<int:pk>/score/", reviews.review_score, name="review-score"),
    path(
        "coaching/reviews/<int:pk>/acknowledge/",
        reviews.review_acknowledge,
        name="review-acknowledge",
    ),
    path("coaching/reviews/<int:pk>/dispute/", reviews.review_dispute, name="review-dispute"),
    path("coaching/reviews/<int:pk>/resolve/", reviews.review_resolve, name="review-resolve"),
    path(
        "coaching/score-disputes/",
        score_disputes.score_dispute_list,
        name="score-disputes",
    ),
    path(
        "coaching/score-disputes/<int:pk>/review/",
        score_disputes.score_dispute_review,
        name="score-dispute-review",
    ),
    path("coaching/rubrics/", reviews.rubric_list, name="rubrics"),
    path("coaching/rubrics/new/", reviews.rubric_create, name="rubric-create"),
    path("coaching/rubrics/<int:pk>/retire/", reviews.rubric_retire, name="rubric-retire"),
    path("coaching/calibration/", plans.calibration_list, name="calibrations"),
    path("coaching/calibration/new/", plans.calibration_create, name="calibration-create"),
    path("coaching/calibration/<int:pk>/", plans.calibration_detail, name="calibration"),
    path(
        "coaching/calibration/<int:pk>/score/",
        plans.calibration_score,
        name="calibration-score",
    ),
    path(
        "coaching/calibration/<int:pk>/reveal/",
        plans.calibration_reveal,
        name="calibration-reveal",
    ),
    path("coaching/plans/", plans.plan_list, name="plans"),
    path("coaching/plans/new/", plans.plan_create, name="plan-create"),
    path("coaching/plans/<int:pk>/", plans.plan_detail, name="plan"),
]

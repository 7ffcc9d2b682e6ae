from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "careloop.coaching"
    label = "coaching"
    verbose_name = "Practice by role-play, and QA reviews"

    def ready(self) -> None:
        from careloop.coaching.selectors import training_corrections
        from careloop.coaching.services.score_disputes import mark_corrections_learned
        from careloop.empathy.corrections import CorrectionSource, register_correction_source

        register_correction_source(
            CorrectionSource(
                "coaching.overturned_scores", training_corrections, mark_corrections_learned
            )
        )

"""Reviews that already hold a batch of safety ratings show their figure from now on."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Avg, Count

MIN_FEEDBACK_BATCH = 5


def show_existing_figures(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    review_model = apps.get_model("learning", "LearningReview")
    answer_model = apps.get_model("learning", "ProcessFeedbackAnswer")
    figures = (
        answer_model.objects.values("review_id")
        .annotate(answers=Count("pk"), average=Avg("safety"))
        .filter(answers__gte=MIN_FEEDBACK_BATCH)
        .order_by()
    )
    for figure in figures:
        review_model.objects.filter(pk=figure["review_id"]).update(
            safety_answers_shown=figure["answers"],
            safety_average_shown=round(figure["average"], 1),
        )


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_show_safety_average_in_batches")]

    operations = [migrations.RunPython(show_existing_figures, migrations.RunPython.noop)]

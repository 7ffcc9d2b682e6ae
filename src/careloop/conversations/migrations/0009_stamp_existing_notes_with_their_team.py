"""Existing internal notes belong to the team their conversation is with today."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import OuterRef, Subquery


def stamp_notes(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Message = apps.get_model("conversations", "Message")
    Conversation = apps.get_model("conversations", "Conversation")
    team_of_conversation = Conversation.objects.filter(pk=OuterRef("conversation_id")).values(
        "team_id"
    )[:1]
    Message.objects.filter(is_internal_note=True, note_team__isnull=True).update(
        note_team_id=Subquery(team_of_conversation)
    )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0008_internal_notes_keep_their_team")]

    operations = [migrations.RunPython(stamp_notes, migrations.RunPython.noop)]

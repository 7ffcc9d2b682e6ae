"""Survey links posted into chats before they were shown to the visitor only: the thread keeps
"survey sent" instead of the link, and the visitor is shown their own link from now on."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from careloop.feedback.tokens import chat_survey_token

OLD_TEXT = "Thanks for chatting with us. How did we do? It takes a minute:"
NOTE = (
    "Survey sent. The customer sees the survey link in their own chat; "
    "the team never sees or uses it."
)


def hide_posted_links(apps, schema_editor):
    Message = apps.get_model("conversations", "Message")
    SurveyInvitation = apps.get_model("feedback", "SurveyInvitation")
    SurveyLink = apps.get_model("feedback", "SurveyLink")
    posted = Message.objects.filter(
        author_kind="agent", author__isnull=True, body_text__startswith=OLD_TEXT
    )
    for message in posted.iterator():
        invitation = (
            SurveyInvitation.objects.filter(
                Q(chat_message__isnull=True),
                conversation_id=message.conversation_id,
                delivery="chat",
            )
            .order_by("-sent_at")
            .first()
        )
        if invitation is not None:
            invitation.chat_message_id = message.pk
            invitation.save(update_fields=["chat_message"])
            _, token_hash = chat_survey_token(invitation.pk)
            SurveyLink.objects.get_or_create(
                token_hash=token_hash,
                defaults={"invitation_id": invitation.pk, "created_at": timezone.now()},
            )
        Message.objects.filter(pk=message.pk).update(body_text=NOTE)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_survey_link_shown_in_chat_only"),
    ]

    operations = [migrations.RunPython(hide_posted_links, migrations.RunPython.noop)]

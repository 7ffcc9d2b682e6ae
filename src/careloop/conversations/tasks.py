"""Background work for conversations, run inline or on Celery through django.tasks."""

from __future__ import annotations

from django.tasks import task

from careloop.conversations.channels import email_inbound, email_outbound, imap_poller
from careloop.conversations.models import Channel, Message


@task()
def read_customer_message(message_id: int) -> bool:
    """Read a customer message for emotion and distress, then re-rank its conversation.

    Safe to run twice: a message already read is left alone.
    """
    from careloop.conversations import coaching

    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, author_kind=Message.Author.CUSTOMER, scored_at__isnull=True)
        .first()
    )
    return message is not None and coaching.read_message(message)


@task()
def score_unscored_messages() -> int:
    """The retry for readings that failed: read every customer message still unscored."""
    from careloop.conversations import coaching

    return sum(coaching.read_message(message) for message in coaching.unscored_customer_messages())


@task()
def score_sent_reply(message_id: int) -> bool:
    """Store the empathy coach's score of a public reply, for the agent and their coach."""
    from careloop.conversations import coaching

    message = (
        Message.objects.select_related("conversation", "author")
        .filter(pk=message_id, reply_score__isnull=True)
        .first()
    )
    return message is not None and coaching.score_sent_reply(message)


@task()
def deliver_reply(message_id: int) -> bool:
    """Send an agent's public reply on the conversation's channel. Safe to run twice.

    Email replies go out through the default mailer (once: see `send_email_reply`); chat and
    API clients read replies from careloop. Returns whether the message is a public reply.
    """
    message = (
        Message.objects.select_related("conversation__customer")
        .filter(pk=message_id, is_internal_note=False)
        .first()
    )
    if message is None:
        return False
    if message.conversation.channel == Channel.EMAIL:
        email_outbound.send_email_reply(message)
    score_sent_reply.enqueue(message.pk)
    return True


@task()
def process_inbound_email(record_id: int) -> bool:
    """Turn a stored raw email into a customer message, or flag it. Safe to run twice."""
    return email_inbound.process_inbound_email(record_id) is not None


@task()
def poll_mailbox() -> dict[str, int]:
    """Fetch new mail from the configured IMAP mailbox (CARELOOP_IMAP_*)."""
    return imap_poller.poll_mailbox(imap_poller.Mailbox.from_settings()).as_dict()


@task()
def refresh_care_priorities() -> int:
    """Waiting time grows with the clock; run every few minutes to keep the inbox order true."""
    from careloop.conversations.services import refresh_waiting_conversations

    return refresh_waiting_conversations()

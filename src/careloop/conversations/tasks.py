"""Background work for conversations, run inline or on Celery through django.tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.tasks import task, task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from careloop.conversations.channels import email_inbound, email_outbound, imap_poller
from careloop.conversations.models import Channel, Message

# A stored message asks for a reading this long after it (the asking is shared by every
# message in the window), so one task reads the window's messages as one batch.
READING_WINDOW = timedelta(milliseconds=250)
# How many batches one reading task does before handing over to a fresh task.
READING_ROUNDS = 20
READING_REQUESTED = "careloop:reading-requested"
HELPER_REQUESTED = "careloop:reading-helper-requested"


def _inline() -> bool:
    return isinstance(task_backends["default"], ImmediateBackend)


def request_reading(message_ids: Sequence[int] = (), *, helper: bool = False) -> None:
    """Make sure the customer messages just stored (`message_ids`) are read soon.

    Inline (no broker) they are read now, as one batch. With Celery, at most one task is
    asked for per `READING_WINDOW` (the cache is shared by every process), starting when the
    window closes, and it reads every unread message: each was committed before its asking,
    so that task sees it. `helper` asks for a second reader while a backlog lasts.
    """
    if _inline():
        if message_ids:
            from careloop.conversations import coaching

            coaching.read_messages(
                list(Message.objects.filter(pk__in=message_ids, scored_at__isnull=True))
            )
        return
    window = READING_WINDOW.total_seconds()
    if helper:
        if cache.add(HELPER_REQUESTED, True, timeout=1):
            read_unread_customer_messages.enqueue()
    elif cache.add(READING_REQUESTED, True, timeout=window):
        start = timezone.now() + READING_WINDOW
        read_unread_customer_messages.using(run_after=start).enqueue()


@task()
def read_unread_customer_messages() -> int:
    """Read every unread customer message in micro-batches of `CARELOOP_READING_BATCH`.

    Safe to run twice and side by side: each batch is claimed (see coaching.read_unread_
    messages). While batches come back full a second task is asked for, so two workers share
    a backlog; after `READING_ROUNDS` batches this task hands over to a fresh one.
    """
    from careloop.conversations import coaching

    limit = settings.CARELOOP_READING_BATCH
    total = 0
    for _ in range(READING_ROUNDS):
        batch = coaching.read_unread_messages(limit)
        total += batch.read
        if batch.claimed < limit or batch.read == 0:
            return total
        request_reading(helper=True)
    read_unread_customer_messages.enqueue()
    return total


@task()
def read_customer_message(message_id: int) -> bool:
    """Read one customer message (tasks queued before micro-batches). Safe to run twice."""
    from careloop.conversations import coaching

    message = Message.objects.filter(
        pk=message_id, author_kind=Message.Author.CUSTOMER, scored_at__isnull=True
    ).first()
    return message is not None and coaching.read_message(message)


@task()
def score_unscored_messages() -> int:
    """The periodic sweep: read every customer message a lost or failed reading left unread."""
    from careloop.conversations import coaching

    limit, cutoff, total = settings.CARELOOP_READING_BATCH, coaching.retry_cutoff(), 0
    while True:
        batch = coaching.read_unread_messages(limit, stored_before=cutoff)
        total += batch.read
        if batch.claimed < limit or batch.read == 0:
            return total


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
    from careloop.conversations.services.figures import refresh_waiting_conversations

    return refresh_waiting_conversations()

"""What other domains may react to in a conversation's life, without conversations knowing them.

Sent after the change has committed, so receivers see it stored and may enqueue tasks.
"""

from collections.abc import Callable, Sequence

from django.dispatch import Signal

# Sent with conversation=<Conversation>, actor=<User | None> when a conversation becomes solved
# (or closed) from an unfinished status; a reopened conversation solved again sends it again.
conversation_solved = Signal()


# --- customer messages read -----------------------------------------------------------------
# Called with the ids of customer messages whose emotion reading was just stored (inside the
# transaction that stored it; receivers defer their own work with on_commit). A plain list of
# callables rather than post_save: readings are written in bulk, and the call site shows who
# is told.
MessagesRead = Callable[[Sequence[int]], None]
_messages_read_receivers: list[MessagesRead] = []


def on_customer_messages_read(receiver: MessagesRead) -> None:
    """Register `receiver` (once) to hear of customer messages just read."""
    if receiver not in _messages_read_receivers:
        _messages_read_receivers.append(receiver)


def customer_messages_read(message_ids: Sequence[int]) -> None:
    """Tell every registered receiver which customer messages were just read."""
    if message_ids:
        for receiver in _messages_read_receivers:
            receiver(message_ids)

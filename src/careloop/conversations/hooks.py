"""What other domains may react to in a conversation's life, without conversations knowing them.

Subscribers register in their AppConfig.ready(); tests/core/test_hooks.py lists who hears what.
"""

from collections.abc import Sequence

from careloop.conversations.models import Conversation
from careloop.core.hooks import Hook

conversation_solved: Hook[Conversation] = Hook(
    "conversations.conversation_solved",
    "A conversation became solved (or closed) from an unfinished status; a reopened "
    "conversation solved again is told again. After commit, so subscribers see it stored.",
    after_commit=True,
)

# Readings are written in bulk, so the hook hands over all the ids at once, inside the
# transaction that stored them: subscribers defer their own work with on_commit.
customer_messages_read: Hook[Sequence[int]] = Hook(
    "conversations.customer_messages_read",
    "The emotion reading of these customer messages was just stored.",
)

"""What other domains may react to in a conversation's life, without conversations knowing them.

Sent after the change has committed, so receivers see it stored and may enqueue tasks.
"""

from django.dispatch import Signal

# Sent with conversation=<Conversation>, actor=<User | None> when a conversation becomes solved
# (or closed) from an unfinished status; a reopened conversation solved again sends it again.
conversation_solved = Signal()

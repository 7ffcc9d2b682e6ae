"""The conversation page's secondary panels, which htmx fetches once the page has shown, so
the page itself costs the same few queries whatever the customer's past (bench/reads.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from careloop.conversations import selectors
from careloop.conversations.models import Conversation, SavedReply
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, requires, restrict
from careloop.people.http import employee

# The customer panel lists this many of the customer's other conversations, newest first.
HISTORY_SHOWN = 20


@requires(Action.USE_INBOX)
def customer_panel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The customer beside a conversation: contact points, and their other conversations."""
    current = get_object_or_404(Conversation.objects.select_related("customer"), pk=pk)
    return render(
        request,
        "conversations/_customer_panel.html",
        {
            "conversation": current,
            "loaded": True,
            "history": selectors.customer_history(current.customer, exclude=current)[
                :HISTORY_SHOWN
            ],
        },
    )


@requires(Action.USE_INBOX)
def saved_reply_choice(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The composer's choice of saved replies to start from (nothing when there are none)."""
    return render(
        request,
        "conversations/_saved_reply_choice.html",
        {
            "conversation_pk": pk,
            "saved_replies": list(
                restrict(SavedReply.objects.all(), employee(request), Action.USE_INBOX)
            ),
        },
    )

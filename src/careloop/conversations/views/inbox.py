"""The care inbox for agents: its views, search, live updates and bulk actions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from careloop.conversations import selectors
from careloop.conversations.forms import BulkActionForm
from careloop.conversations.inbox_pages import Cursor, page_of
from careloop.conversations.models import Conversation, Status
from careloop.conversations.services import assignment, conversations, tags
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, can, requires
from careloop.core.widgets import picker_results
from careloop.people.http import employee

# The id of the inbox's search input (conversations/inbox.html), which htmx names as trigger.
INBOX_SEARCH_BOX = "inbox-search"


def _inbox_view(request: HtmxHttpRequest) -> selectors.InboxView:
    try:
        return selectors.InboxView(request.GET.get("view", selectors.InboxView.WAITING))
    except ValueError:
        return selectors.InboxView.WAITING


def _inbox_context(request: HtmxHttpRequest, marker: str) -> dict[str, object]:
    """The inbox page's rows, with what its live poll needs to tell whether they changed
    since `marker` (selectors.inbox_marker)."""
    agent = employee(request)
    view = _inbox_view(request)
    query = request.GET.get("q", "")
    after = Cursor.parse(request.GET.get("after"))
    before = None if after else Cursor.parse(request.GET.get("before"))
    number = selectors.reference(query)
    if number is not None and Conversation.objects.filter(pk=number).exists():
        # While "#120" is being typed the list shows it, whatever its status or view.
        page = page_of(selectors.conversation_list().filter(pk=number))
    else:
        page = selectors.inbox_page(agent, view, query, after=after, before=before)
    signature = selectors.inbox_page_signature(page)
    state = {"view": view.value, "q": query}
    if after is not None:
        state["after"] = after.token
    elif before is not None:
        state["before"] = before.token
    return {
        "page": page,
        "view": view,
        "views": list(selectors.InboxView),
        "query": query,
        "bulk_actions": BulkActionForm.ACTIONS,
        "can_manage_inbox": can(agent, Action.MANAGE_INBOX),
        # Bulk actions come back to the inbox page, also when the rows came from a live poll.
        "inbox_path": f"{reverse('conversations:inbox')}?{urlencode(state)}",
        "live_query": urlencode({**state, "since": marker, "rows": signature}),
        "live_poll_seconds": settings.CARELOOP_LIVE_POLL_SECONDS,
        "signature": signature,
        # Links to the neighbouring pages keep the view and the words.
        "next_query": urlencode({"view": view.value, "q": query, "after": page.next.token})
        if page.next
        else "",
        "previous_query": urlencode({"view": view.value, "q": query, "before": page.previous.token})
        if page.previous
        else "",
    }


@requires(Action.USE_INBOX)
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    number = selectors.reference(query)
    if number is not None and Conversation.objects.filter(pk=number).exists():
        target = reverse("conversations:conversation", args=[number])
        # Enter goes straight to conversation 120; typing "#120" in the box (htmx, from the
        # box itself) lists it instead.
        if not request.htmx:
            return redirect(target)
        if request.htmx.trigger != INBOX_SEARCH_BOX:
            return HttpResponseClientRedirect(target)
    template = "conversations/_inbox_rows.html" if request.htmx else "conversations/inbox.html"
    with selectors.search_work_memory(query):
        return render(request, template, _inbox_context(request, selectors.inbox_marker()))


@requires(Action.USE_INBOX)
def inbox_live(request: HtmxHttpRequest) -> HttpResponse:
    """The open inbox's poll: 204 when nothing changed anywhere (one indexed query), only a new
    marker when changes left this page as it was, else the page's rows afresh."""
    marker = selectors.inbox_marker()
    if request.GET.get("since") == marker:
        return HttpResponse(status=204)
    query = request.GET.get("q", "")
    with selectors.search_work_memory(query):
        context = _inbox_context(request, marker)
        if context["signature"] == request.GET.get("rows"):
            response = render(request, "conversations/_inbox_live.html", context)
            response["HX-Retarget"] = "#inbox-live"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, "conversations/_inbox_rows.html", context)


@requires(Action.USE_INBOX)
@require_POST
def bulk_action(request: HtmxHttpRequest) -> HttpResponse:
    agent = employee(request)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick at least one conversation and an action.")
        return redirect(_safe_next(request.POST.get("next")))
    action = form.cleaned_data["action"]
    chosen: list[Conversation] = list(form.cleaned_data["conversations"])
    with transaction.atomic():
        for conversation in chosen:
            if action == "assign_me":
                assignment.assign(conversation, agent, agent)
            elif action == "unassign":
                assignment.assign(conversation, None, agent)
            elif action == "tag":
                names = [tag.name for tag in conversation.tags.all()] + [form.cleaned_data["tag"]]
                tags.set_tags(conversation, names, agent)
            else:
                conversations.change_status(conversation, Status(action), agent)
    messages.success(
        request, f"Updated {len(chosen)} conversation{'s' if len(chosen) != 1 else ''}."
    )
    return redirect(_safe_next(request.POST.get("next")))


def _safe_next(target: str | None) -> str:
    # Only paths inside the inbox: never an open redirect.
    if target and target.startswith("/inbox/") and "//" not in target and target.isprintable():
        return target
    return "/inbox/"


def _conversation_label(conversation: Conversation) -> str:
    return f"#{conversation.pk} {conversation.subject or '(no subject)'} · {conversation.customer}"


@requires(Action.USE_INBOX)
def conversation_picker(request: HtmxHttpRequest) -> HttpResponse:
    """Conversations matching what was typed in a conversation picker (core/widgets.py)."""
    query = request.GET.get("q", "")
    return picker_results(request, selectors.conversations_matching(query), _conversation_label)

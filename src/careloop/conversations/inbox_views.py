"""The care inbox for agents: views, search, bulk actions and the conversation page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from careloop.conversations import coaching, presence, selectors, services
from careloop.conversations.forms import (
    BulkActionForm,
    ConversationSettingsForm,
    DisputeForm,
    MergeForm,
    ReplyForm,
)
from careloop.conversations.inbox_pages import Cursor, page_of
from careloop.conversations.models import Conversation, Message, Priority, SavedReply, Status
from careloop.conversations.saved_replies import fill
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, can, requires
from careloop.core.whole_numbers import parse_whole_number
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
                services.assign(conversation, agent, agent)
            elif action == "unassign":
                services.assign(conversation, None, agent)
            elif action == "tag":
                names = [tag.name for tag in conversation.tags.all()] + [form.cleaned_data["tag"]]
                services.set_tags(conversation, names, agent)
            else:
                services.change_status(conversation, Status(action), agent)
    messages.success(
        request, f"Updated {len(chosen)} conversation{'s' if len(chosen) != 1 else ''}."
    )
    return redirect(_safe_next(request.POST.get("next")))


def _safe_next(target: str | None) -> str:
    # Only paths inside the inbox: never an open redirect.
    if target and target.startswith("/inbox/") and "//" not in target and target.isprintable():
        return target
    return "/inbox/"


def _conversation_or_404(pk: int) -> Conversation:
    try:
        return selectors.conversation_page(pk)
    except Conversation.DoesNotExist as missing:
        raise Http404("No such conversation.") from missing


@requires(Action.USE_INBOX)
def conversation(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = employee(request)
    current = _conversation_or_404(pk)
    if current.merged_into_id is not None:
        messages.info(request, f"Conversation {current.pk} was merged into this one.")
        return redirect("conversations:conversation", pk=current.merged_into_id)
    # The newest messages and events; the whole thread when asked for ("Show earlier").
    window = None if request.GET.get("thread") == "all" else selectors.THREAD_WINDOW
    thread, earlier_messages = selectors.thread_for(agent, current, window)
    events, earlier_events = selectors.conversation_events(current, window)
    return render(
        request,
        "conversations/conversation.html",
        {
            "conversation": current,
            "thread": thread,
            "last_message_id": max((message.pk for message in thread), default=0),
            "live_poll_seconds": settings.CARELOOP_LIVE_POLL_SECONDS,
            "visible_scores": {m.pk for m in thread if coaching.may_see_reply_score(agent, m)},
            "dispute_form": DisputeForm(),
            "events": events,
            "earlier_messages": earlier_messages,
            "earlier_events": earlier_events,
            "reply_form": ReplyForm(),
            "settings_form": ConversationSettingsForm.for_conversation(current),
            "merge_form": MergeForm(),
            "others": presence.mark_viewing(current.pk, agent),
        },
    )


@requires(Action.USE_INBOX)
def thread_live(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The open conversation's poll: 204 unless messages the agent may read arrived after
    `after`; those come back as cards, followed by the next poll."""
    agent = employee(request)
    after = request.GET.get("after", "0")
    if not after.isdigit():
        return HttpResponse("Say after which message.", status=400)
    arrived = selectors.messages_after(agent, pk, int(after))
    if not arrived:
        return HttpResponse(status=204)
    current = get_object_or_404(Conversation.objects.select_related("customer"), pk=pk)
    return render(
        request,
        "conversations/_thread_live.html",
        {
            "conversation": current,
            "thread": arrived,
            "last_message_id": arrived[-1].pk,
            "live_poll_seconds": settings.CARELOOP_LIVE_POLL_SECONDS,
            "visible_scores": {m.pk for m in arrived if coaching.may_see_reply_score(agent, m)},
            "dispute_form": DisputeForm(),
        },
    )


@requires(Action.USE_INBOX)
@require_POST
def reply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = employee(request)
    current = get_object_or_404(Conversation, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        then_status = form.cleaned_data["then_status"]
        services.reply(
            current,
            agent,
            form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
            then_status=Status(then_status) if then_status else None,
            attachments=form.cleaned_data["attachments"],
        )
        messages.success(request, "Note added." if form.cleaned_data["internal"] else "Reply sent.")
    else:
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(problems) or "Write something before sending.")
    return redirect("conversations:conversation", pk=pk)


@requires(Action.USE_INBOX)
@require_POST
def update_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = employee(request)
    current = get_object_or_404(Conversation, pk=pk)
    form = ConversationSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Those settings were not valid; nothing changed.")
        return redirect("conversations:conversation", pk=pk)
    with transaction.atomic():
        if form.cleaned_data["assignee"] != current.assignee:
            services.assign(current, form.cleaned_data["assignee"], agent)
        if form.cleaned_data["priority"] != current.priority:
            services.set_priority(current, Priority(form.cleaned_data["priority"]), agent)
        wanted_tags = sorted(form.tag_names())
        if wanted_tags != sorted(tag.name for tag in current.tags.all()):
            services.set_tags(current, wanted_tags, agent)
        if form.cleaned_data["status"] != current.status:
            services.change_status(current, Status(form.cleaned_data["status"]), agent)
    messages.success(request, "Conversation updated.")
    return redirect("conversations:conversation", pk=pk)


@requires(Action.USE_INBOX)
@require_POST
def merge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = employee(request)
    source = get_object_or_404(Conversation, pk=pk)
    target = MergeForm(request.POST).target_for(source)
    if not isinstance(target, Conversation):
        messages.error(request, "Choose another, existing conversation to merge into.")
        return redirect("conversations:conversation", pk=pk)
    services.merge_conversations(source, target, agent)
    messages.success(request, f"Merged into conversation {target.pk}.")
    return redirect("conversations:conversation", pk=target.pk)


@requires(Action.USE_INBOX)
def saved_reply_text(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The composer's text with a saved reply filled in, for htmx to swap in."""
    agent = employee(request)
    current = get_object_or_404(Conversation, pk=pk)
    chosen = parse_whole_number(request.GET.get("saved_reply"))
    saved_reply = SavedReply.objects.filter(pk=chosen).first() if chosen is not None else None
    body = fill(saved_reply, current, agent) if saved_reply else ""
    form = ReplyForm(initial={"body": body})
    return render(request, "conversations/_composer_body.html", {"reply_form": form})


@requires(Action.USE_INBOX)
def presence_check(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = employee(request)
    drafting = request.GET.get("drafting") == "1"
    others = presence.mark_viewing(pk, agent, drafting=drafting)
    return render(request, "conversations/_presence.html", {"others": others})


@requires(Action.USE_INBOX)
@require_POST
def coach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live coach next to the composer: scores the draft against the customer's words."""
    current = get_object_or_404(Conversation, pk=pk)
    draft = request.POST.get("body", "")[:20_000]
    advice = coaching.coach_draft(current, draft) if draft.strip() else None
    return render(request, "conversations/_coach.html", {"coaching": advice})


@requires(Action.USE_INBOX)
@require_POST
def dispute_reply_score(request: HtmxHttpRequest, message_pk: int) -> HttpResponse:
    agent = employee(request)
    message = get_object_or_404(Message, pk=message_pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick the part of the score and the level you think is right.")
    else:
        try:
            coaching.dispute_score(
                message,
                agent,
                form.cleaned_data["mechanism"],
                int(form.cleaned_data["agent_level"]),
                form.cleaned_data["note"],
            )
        except PermissionError as refused:
            raise PermissionDenied(str(refused)) from refused
        messages.success(request, "Thank you: your view is stored and helps the coach improve.")
    return redirect("conversations:conversation", pk=message.conversation_id)


def _conversation_label(conversation: Conversation) -> str:
    return f"#{conversation.pk} {conversation.subject or '(no subject)'} · {conversation.customer}"


@requires(Action.USE_INBOX)
def conversation_picker(request: HtmxHttpRequest) -> HttpResponse:
    """Conversations matching what was typed in a conversation picker (core/widgets.py)."""
    query = request.GET.get("q", "")
    return picker_results(request, selectors.conversations_matching(query), _conversation_label)

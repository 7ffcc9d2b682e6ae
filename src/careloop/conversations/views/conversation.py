"""The conversation page for agents: the thread, replies, settings, merging and coaching."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations import coaching, presence, selectors
from careloop.conversations.forms import ConversationSettingsForm, DisputeForm, MergeForm, ReplyForm
from careloop.conversations.models import Conversation, Message, Priority, SavedReply, Status
from careloop.conversations.saved_replies import fill
from careloop.conversations.services import assignment, conversations, merging, replies, tags
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, requires, restrict
from careloop.core.whole_numbers import parse_whole_number
from careloop.people.http import employee


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
        replies.reply(
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
            assignment.assign(current, form.cleaned_data["assignee"], agent)
        if form.cleaned_data["priority"] != current.priority:
            conversations.set_priority(current, Priority(form.cleaned_data["priority"]), agent)
        wanted_tags = sorted(form.tag_names())
        if wanted_tags != sorted(tag.name for tag in current.tags.all()):
            tags.set_tags(current, wanted_tags, agent)
        if form.cleaned_data["status"] != current.status:
            conversations.change_status(current, Status(form.cleaned_data["status"]), agent)
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
    merging.merge_conversations(source, target, agent)
    messages.success(request, f"Merged into conversation {target.pk}.")
    return redirect("conversations:conversation", pk=target.pk)


@requires(Action.USE_INBOX)
def saved_reply_text(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The composer's text with a saved reply filled in, for htmx to swap in."""
    agent = employee(request)
    current = get_object_or_404(Conversation, pk=pk)
    chosen = parse_whole_number(request.GET.get("saved_reply"))
    saved_reply = (
        restrict(SavedReply.objects.filter(pk=chosen), agent, Action.USE_INBOX).first()
        if chosen is not None
        else None
    )
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

"""Recognition pages: the feed and highlights, kudos, and stories from suggestion to consent."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, can, requires
from careloop.people.http import employee
from careloop.recognition import selectors, services
from careloop.recognition.forms import KudosForm, ProposeStoryForm, StoryForm
from careloop.recognition.models import StoryStatus, SuccessStory

EARLIEST_MONTH = datetime.date(2000, 1, 1)


def _month(request: HttpRequest) -> datetime.date:
    today = calendar.this_month()
    try:
        chosen = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return today
    # Bounded below too: the page steps a month back, and before year 1 there is no date.
    return min(max(chosen, EARLIEST_MONTH), today)


@requires(Action.USE_RECOGNITION)
def home(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    month = _month(request)
    previous = calendar.previous_month(month)
    following = calendar.next_month(month)
    return render(
        request,
        "recognition/home.html",
        {
            "month": month,
            "previous_month": previous,
            "next_month": following if following <= calendar.today() else None,
            "feed": selectors.feed(month),
            "highlights": selectors.monthly_highlights(month),
            "awaiting": selectors.stories_awaiting(user),
            "can_open_conversations": can(user, Action.USE_INBOX),
        },
    )


@requires(Action.USE_RECOGNITION)
def mine(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    return render(
        request,
        "recognition/mine.html",
        {
            "stories": selectors.my_stories(user),
            "drafts": selectors.drafts_by(user),
            "kudos": selectors.kudos_received(user)[:100],
        },
    )


@requires(Action.USE_RECOGNITION)
def give_kudos(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    form = KudosForm(request.POST or None, giver=user)
    if request.method == "POST" and form.is_valid():
        try:
            kudos = services.give_kudos(giver=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Kudos sent to {kudos.receiver}.")
            return redirect("recognition:home")
    return render(request, "recognition/kudos_form.html", {"form": form})


def _story_for(request: HttpRequest, pk: int) -> SuccessStory:
    story = get_object_or_404(
        SuccessStory.objects.select_related("agent", "conversation", "proposed_by", "value"),
        pk=pk,
    )
    if not selectors.may_view_story(employee(request), story):
        raise Http404("No such story.")
    return story


@requires(Action.USE_RECOGNITION)
def story(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    current = _story_for(request, pk)
    return render(
        request,
        "recognition/story.html",
        {
            "story": current,
            "is_agent": user.pk == current.agent_id,
            "is_proposer": user.pk == current.proposed_by_id,
            "editable": current.status in (StoryStatus.DRAFT, StoryStatus.AWAITING_CONSENT)
            and user.pk in (current.agent_id, current.proposed_by_id),
            "can_open_conversations": can(user, Action.USE_INBOX),
        },
    )


@requires(Action.USE_RECOGNITION)
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    current = _story_for(request, pk)
    if user.pk not in (current.agent_id, current.proposed_by_id):
        raise Http404("Only the agent and whoever proposed the story edit it.")
    form = StoryForm(
        request.POST or None,
        initial={"title": current.title, "note": current.note, "value": current.value_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_story(current, by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Story saved.")
            return redirect("recognition:story", pk=current.pk)
    return render(request, "recognition/story_form.html", {"form": form, "story": current})


def _decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = employee(request)
    current = _story_for(request, pk)
    with refusal_shown(request):
        if decision == "consent":
            services.consent_to_story(current, by=user)
            messages.success(request, "Thank you: your story is shared.")
        elif decision == "decline":
            services.decline_story(current, by=user)
            messages.success(request, "Kept private. Nobody else will see it.")
        else:
            services.ask_for_consent(current, by=user)
            messages.success(request, f"Sent to {current.agent} for their consent.")
    return redirect("recognition:story", pk=current.pk)


@requires(Action.USE_RECOGNITION)
@require_POST
def story_consent(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "consent")


@requires(Action.USE_RECOGNITION)
@require_POST
def story_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "decline")


@requires(Action.USE_RECOGNITION)
@require_POST
def story_ask(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "ask")


# Proposing a story reads the conversation, so it needs the inbox right.
@requires(Action.USE_INBOX)
def story_propose(request: HttpRequest, conversation_pk: int) -> HttpResponse:
    user = employee(request)
    conversation = get_object_or_404(Conversation, pk=conversation_pk)
    form = ProposeStoryForm(request.POST or None, conversation=conversation)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.propose_story(by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Draft saved. Ask for consent when it reads right.")
            return redirect("recognition:story", pk=created.pk)
    return render(
        request,
        "recognition/story_propose.html",
        {"form": form, "conversation": conversation},
    )

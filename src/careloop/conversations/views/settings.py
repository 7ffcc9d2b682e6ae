"""Pages where leads shape the inbox: SLA targets, routing and saved replies."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations import inbox_settings
from careloop.conversations.forms import (
    ChannelSlaFormSet,
    RoutingForm,
    SavedReplyForm,
    SlaPolicyFormSet,
)
from careloop.conversations.models import Channel, Priority, SavedReply
from careloop.core.permissions import Action, requires
from careloop.people.models import Team
from careloop.people.selectors import current_organisation


@requires(Action.MANAGE_INBOX)
def inbox_settings_page(request: HttpRequest) -> HttpResponse:
    sla_formset = SlaPolicyFormSet(
        request.POST if "save_sla" in request.POST else None,
        initial=[
            {
                "priority": target.priority.value,
                "first_response_minutes": target.first_response_minutes,
                "next_response_minutes": target.next_response_minutes,
                "resolution_minutes": target.resolution_minutes,
            }
            for target in inbox_settings.current_sla_targets()
        ],
        prefix="sla",
    )
    channel_formset = ChannelSlaFormSet(
        request.POST if "save_channel_sla" in request.POST else None,
        initial=[
            {
                "channel": target.channel.value,
                "first_response_minutes": target.first_response_minutes,
                "next_response_minutes": target.next_response_minutes,
            }
            for target in inbox_settings.current_channel_targets()
        ],
        prefix="channel",
    )
    routing_form = RoutingForm(
        request.POST if "save_routing" in request.POST else None,
        initial={
            "default_team": current_organisation().default_team_id,
            "auto_assign_teams": Team.objects.filter(auto_assign=True),
        },
    )
    if "save_sla" in request.POST and sla_formset.is_valid():
        inbox_settings.save_sla_targets(
            inbox_settings.SlaTargets(
                Priority(form.cleaned_data["priority"]),
                form.cleaned_data["first_response_minutes"],
                form.cleaned_data["next_response_minutes"],
                form.cleaned_data["resolution_minutes"],
            )
            for form in sla_formset
        )
        messages.success(request, "SLA targets saved.")
        return redirect("conversations:inbox-settings")
    if "save_channel_sla" in request.POST and channel_formset.is_valid():
        inbox_settings.save_channel_targets(
            inbox_settings.ChannelTargets(
                Channel(form.cleaned_data["channel"]),
                form.cleaned_data["first_response_minutes"],
                form.cleaned_data["next_response_minutes"],
            )
            for form in channel_formset
        )
        messages.success(request, "Channel targets saved.")
        return redirect("conversations:inbox-settings")
    if "save_routing" in request.POST and routing_form.is_valid():
        inbox_settings.save_routing(
            routing_form.cleaned_data["default_team"],
            routing_form.cleaned_data["auto_assign_teams"],
        )
        messages.success(request, "Routing saved.")
        return redirect("conversations:inbox-settings")
    priority_labels = dict(Priority.choices)
    channel_labels = dict(Channel.choices)
    return render(
        request,
        "conversations/inbox_settings.html",
        {
            "sla_rows": [(priority_labels[form.initial["priority"]], form) for form in sla_formset],
            "sla_formset": sla_formset,
            "channel_rows": [
                (channel_labels[form.initial["channel"]], form) for form in channel_formset
            ],
            "channel_formset": channel_formset,
            "routing_form": routing_form,
            "saved_replies": inbox_settings.saved_replies(),
        },
    )


@requires(Action.MANAGE_INBOX)
def saved_reply_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(SavedReply, pk=pk) if pk else None
    form = SavedReplyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved reply stored.")
        return redirect("conversations:inbox-settings")
    return render(request, "conversations/saved_reply_form.html", {"form": form})


@requires(Action.MANAGE_INBOX)
@require_POST
def saved_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedReply, pk=pk).delete()
    messages.success(request, "Saved reply removed.")
    return redirect("conversations:inbox-settings")

"""Settings → Integrations: webhook endpoints with their delivery log, and chat channels."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.api.query_params import whole_number
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, requires
from careloop.people.models import User
from careloop.webhooks import chat, selectors, services
from careloop.webhooks.forms import ChatChannelForm, EndpointForm, EventTypesForm
from careloop.webhooks.models import ChatChannel, WebhookAttempt, WebhookEndpoint


def _admin(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # `requires` let only a signed-in admin through
    return request.user


def _no_store(response: HttpResponse) -> HttpResponse:
    # The page may carry a signing secret: no browser or proxy may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _list_page(
    request: HtmxHttpRequest,
    *,
    form: EndpointForm | None = None,
    chat_form: ChatChannelForm | None = None,
    secret: str = "",
    issued: WebhookEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or EndpointForm(),
        "chat_form": chat_form or ChatChannelForm(),
        "endpoints": selectors.endpoints(),
        "channels": selectors.chat_channels(),
        "secret": secret,
        "issued": issued,
    }
    template = "webhooks/_integrations.html" if request.htmx else "webhooks/integrations.html"
    return _no_store(render(request, template, context, status=status))


@requires(Action.MANAGE_INTEGRATIONS)
def integrations(request: HtmxHttpRequest) -> HttpResponse:
    """The endpoints and channels, and the form that adds an endpoint (its secret shown once)."""
    if request.method != "POST":
        return _list_page(request)
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form=form, status=400)
    endpoint, secret = services.create_endpoint(
        url=form.cleaned_data["url"],
        event_types=form.cleaned_data["event_types"],
        description=form.cleaned_data["description"],
        created_by=_admin(request),
    )
    return _list_page(request, secret=secret, issued=endpoint)


@requires(Action.MANAGE_INTEGRATIONS)
@require_POST
def add_chat_channel(request: HtmxHttpRequest) -> HttpResponse:
    form = ChatChannelForm(request.POST)
    if not form.is_valid():
        return _list_page(request, chat_form=form, status=400)
    chat.add_channel(
        service=form.cleaned_data["service"],
        webhook_url=form.cleaned_data["webhook_url"],
        team=form.cleaned_data["team"],
    )
    return _list_page(request)


@requires(Action.MANAGE_INTEGRATIONS)
@require_POST
def remove_chat_channel(request: HtmxHttpRequest) -> HttpResponse:
    channel_id = whole_number(request.POST.get("channel", ""), 1, 10**18)
    deleted, _ = ChatChannel.objects.filter(pk=channel_id or 0).delete()
    if not deleted:
        raise Http404("No chat channel has this id.")
    return _list_page(request)


def _endpoint_page(
    request: HtmxHttpRequest,
    endpoint: WebhookEndpoint,
    *,
    secret: str = "",
    attempt: WebhookAttempt | None = None,
    events_form: EventTypesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "endpoint": endpoint,
        "deliveries": selectors.delivery_log(endpoint),
        "secret": secret,
        "attempt": attempt,
        "events_form": events_form or EventTypesForm(initial={"event_types": endpoint.event_types}),
    }
    template = "webhooks/_endpoint.html" if request.htmx else "webhooks/endpoint.html"
    return _no_store(render(request, template, context, status=status))


@requires(Action.MANAGE_INTEGRATIONS)
def endpoint_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One endpoint: its events, state and delivery log; POST `do` changes it."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method != "POST":
        return _endpoint_page(request, endpoint)
    actor = _admin(request)
    match request.POST.get("do", ""):
        case "enable" | "disable" as choice:
            services.set_enabled(endpoint, choice == "enable", actor=actor)
        case "roll":
            return _endpoint_page(
                request, endpoint, secret=services.roll_secret(endpoint, actor=actor)
            )
        case "test":
            attempt = services.send_test_event(endpoint, actor=actor)
            return _endpoint_page(request, endpoint, attempt=attempt)
        case "redeliver":
            delivery_id = whole_number(request.POST.get("delivery", ""), 1, 10**18)
            delivery = get_object_or_404(endpoint.deliveries, pk=delivery_id or 0)
            attempt = services.redeliver(delivery, actor=actor)
            return _endpoint_page(request, endpoint, attempt=attempt)
        case "events":
            form = EventTypesForm(request.POST)
            if not form.is_valid():
                return _endpoint_page(request, endpoint, events_form=form, status=400)
            services.update_endpoint(
                endpoint, event_types=form.cleaned_data["event_types"], actor=actor
            )
        case "delete":
            services.delete_endpoint(endpoint, actor=actor)
            return redirect("webhooks:list")
        case _:
            return _endpoint_page(request, endpoint, status=400)
    endpoint.refresh_from_db()
    return _endpoint_page(request, endpoint)

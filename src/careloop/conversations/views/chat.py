"""The web chat's customer-facing endpoints: the framed chat page, its JSON API and live replies.

Every endpoint is public to the permission audit; visitors prove who they are with the signed
chat token, never with a session. CSRF protection is switched off for the API on purpose: it
guards cookie-authenticated requests, and these endpoints read no cookies at all. The token
travels in the X-Careloop-Chat header, which another site can neither read nor make a browser
send (a custom header needs a CORS preflight, which careloop never grants). The frame also runs
on third-party pages, where browsers withhold careloop's SameSite cookies, so a CSRF cookie
could not work there anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from careloop.conversations.channels import chat, chat_transcript, chat_visitors
from careloop.conversations.channels.visitor_links import VisitorLink, visitor_links
from careloop.conversations.models import Message
from careloop.core.json_input import JsonInputError, parse_json_body
from careloop.core.permissions import ViewFunction, public
from careloop.core.rate_limits import public_form_limit
from careloop.core.whole_numbers import parse_whole_number

VISITOR_HEADER = "X-Careloop-Chat"
MAX_BODY_BYTES = 16_384

# The frame is embedded by customers' own sites, so only its page may be framed by any origin.
FRAME_ANCESTORS = getattr(settings, "CARELOOP_CHAT_FRAME_ANCESTORS", ["*"])
FRAME_CSP: dict[str, Any] = {**settings.SECURE_CSP, "frame-ancestors": FRAME_ANCESTORS}


def _error(message: str, status: int, *, field: str = "") -> JsonResponse:
    body = {"error": message, **({"field": field} if field else {})}
    response = JsonResponse(body, status=status)
    if status == 429:
        response["Retry-After"] = str(chat.RATE_LIMIT_WINDOW_SECONDS)
    return response


def chat_api(*methods: str) -> Callable[[ViewFunction], ViewFunction]:
    """A chat API endpoint: JSON errors for wrong methods and for every ChatError."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in methods:
                response = _error(f"Use {' or '.join(methods)} here.", 405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except chat_visitors.ChatError as error:
                return _error(error.message, error.status, field=error.field)

        return csrf_exempt(endpoint)

    return decorate


def _visitor(request: HttpRequest) -> chat_visitors.ChatVisitor:
    return chat_visitors.visitor_from_token(request.headers.get(VISITOR_HEADER, ""))


def _json_body(request: HttpRequest) -> object:
    try:
        return parse_json_body(request.body, max_bytes=MAX_BODY_BYTES)
    except JsonInputError as error:
        raise chat_visitors.ChatError(str(error)) from error


def _after_id(value: str | None) -> int:
    return parse_whole_number(value, default=0) or 0


def _message_json(message: Message, link: VisitorLink | None = None) -> dict[str, object]:
    """A message as its visitor sees it; `link` replaces the text of a visitor-only link."""
    record = getattr(message, "inbound_record", None)
    is_agent = message.author_kind == Message.Author.AGENT
    author_name = ""
    if is_agent:
        # Visitors see the agent's first name only.
        author_name = (message.author.full_name.split() or ["Support"])[0] if message.author else ""
    return {
        "id": message.pk,
        "author": "agent" if is_agent else "visitor",
        "author_name": author_name or ("Support" if is_agent else "You"),
        "text": link.text if link else message.body_text,
        "at": message.created_at.isoformat(),
        "client_id": record.dedupe_key.removeprefix(chat.DEDUPE_PREFIX) if record else "",
        **({"link": {"url": link.url, "label": link.label}} if link and link.url else {}),
    }


def _state_json(state: chat_transcript.ChatState) -> dict[str, object]:
    links = visitor_links(state.messages)
    return {
        "messages": [_message_json(message, links.get(message.pk)) for message in state.messages],
        "ended": state.ended,
    }


# --- pages -----------------------------------------------------------------------------------


@public
def chat_demo(request: HttpRequest) -> HttpResponse:
    """A pretend shop that embeds the widget exactly as a customer's site would."""
    careloop_url = request.build_absolute_uri("/").rstrip("/")
    return render(request, "conversations/chat_demo.html", {"careloop_url": careloop_url})


@public
@xframe_options_exempt
@csp_override(FRAME_CSP)
def chat_frame(request: HttpRequest) -> HttpResponse:
    """The chat itself, shown inside the widget's iframe on any site."""
    return render(request, "conversations/chat_frame.html")


# --- API -------------------------------------------------------------------------------------


@public
@public_form_limit("chat")
@chat_api("POST")
def chat_session(request: HttpRequest) -> JsonResponse:
    """Start or continue a chat: a (new) token and the transcript of the visitor's latest chat."""
    try:
        visitor = _visitor(request)
    except chat_visitors.InvalidChatToken:
        visitor = chat_visitors.new_visitor()
    state = chat_transcript.open_chat(visitor)
    return JsonResponse({"token": visitor.token, **_state_json(state)})


@public
@public_form_limit("chat")
@chat_api("GET", "POST")
def chat_messages(request: HttpRequest) -> JsonResponse:
    """GET: the visitor's messages after ?after=<id>. POST: send a message (idempotent)."""
    visitor = _visitor(request)
    if request.method == "GET":
        state = chat_transcript.messages_after(visitor, _after_id(request.GET.get("after")))
        return JsonResponse(_state_json(state))
    incoming = chat_visitors.parse_message_input(_json_body(request))
    posted = chat.post_customer_message(visitor, incoming)
    return JsonResponse(
        {"message": _message_json(posted.message), "duplicate": posted.duplicate},
        status=200 if posted.duplicate else 201,
    )


@public
@public_form_limit("chat")
@chat_api("POST")
def chat_end(request: HttpRequest) -> JsonResponse:
    conversation = chat.end_chat(_visitor(request))
    return JsonResponse({"ended": conversation is not None})


def _event_stream(visitor: chat_visitors.ChatVisitor, after_id: int) -> Iterator[str]:
    # Reconnect quickly after each bounded connection ends.
    yield "retry: 1000\n\n"
    for message in chat_transcript.stream_replies(visitor, after_id):
        if message is None:
            yield ": waiting\n\n"
        else:
            shown = _message_json(message, visitor_links([message]).get(message.pk))
            yield f"id: {message.pk}\ndata: {json.dumps(shown)}\n\n"


@public
@chat_api("GET")
def chat_events(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events with the agent's public replies, as they are written.

    EventSource cannot send headers, so the token comes in the query string here.
    """
    visitor = chat_visitors.visitor_from_token(request.GET.get("token", ""))
    after_id = max(
        _after_id(request.GET.get("after")), _after_id(request.headers.get("Last-Event-ID"))
    )
    response = StreamingHttpResponse(
        _event_stream(visitor, after_id), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # proxies such as nginx must not hold events back
    return response


urlpatterns = [
    path("demo/", chat_demo, name="chat-demo"),
    path("frame/", chat_frame, name="chat-frame"),
    path("api/session/", chat_session, name="chat-session"),
    path("api/messages/", chat_messages, name="chat-messages"),
    path("api/events/", chat_events, name="chat-events"),
    path("api/end/", chat_end, name="chat-end"),
]

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.channels import chat_transcript
from careloop.conversations.models import Conversation, InboundRecord
from careloop.conversations.services import replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

REPLY_WAIT_MS = 15_000


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, full_name="Grace Hopper")


@pytest.fixture
def foreign_site(tmp_path: Path, live_server: LiveServer) -> Iterator[str]:
    """Another company's page on another origin, embedding careloop with the one script tag."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>Elsewhere Ltd</title></head>"
        "<body><h1>Elsewhere Ltd</h1>"
        f'<script src="{live_server.url}/static/careloop/widget.js" '
        f'data-careloop="{live_server.url}" defer></script></body></html>'
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def open_widget(page: Page) -> FrameLocator:
    page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe[title='Chat with us']")
    expect(frame.locator("[data-chat][data-ready=true]")).to_be_attached()
    return frame


def write(frame: FrameLocator, text: str) -> None:
    frame.get_by_label("Message", exact=True).fill(text)
    frame.get_by_role("button", name="Send").click()


def test_visitor_chats_from_the_demo_shop_and_sees_the_agents_reply_live(
    page: Page, live_server: LiveServer, agent: User, artifacts_dir: Path
) -> None:
    page.goto(live_server.url + "/chat/demo/")
    frame = open_widget(page)

    question = "My <b>kettle</b> arrived dented. Can you help?"
    write(frame, question)

    sent = frame.locator(".from-visitor[data-state=sent]")
    expect(sent).to_have_count(1)
    # Escaped, never parsed: the visitor sees exactly what they typed.
    expect(sent.locator(".chat-text")).to_have_text(question)
    conversation = Conversation.objects.get()
    assert conversation.channel == "chat"
    assert conversation.status == "open"
    assert list(conversation.messages.values_list("body_text", flat=True)) == [question]
    assert InboundRecord.objects.get().state == InboundRecord.State.PROCESSED

    page.evaluate("window.careloopTestMarker = 'still the same page'")
    replies.reply(conversation, agent, "Internal: check the courier", internal=True)
    replies.reply(conversation, agent, "So sorry! A new kettle ships today.")

    reply = frame.locator(".from-agent")
    expect(reply.locator(".chat-text")).to_have_text(
        ["So sorry! A new kettle ships today."], timeout=REPLY_WAIT_MS
    )
    expect(reply.locator(".chat-author")).to_have_text(["Grace"])
    expect(frame.get_by_text("Internal: check the courier")).to_have_count(0)
    assert page.evaluate("window.careloopTestMarker") == "still the same page"
    page.screenshot(path=artifacts_dir / "chat-widget.png")

    frame.get_by_role("button", name="End chat").click()
    expect(frame.get_by_text("This chat has ended.")).to_be_visible()
    assert conversation.events.filter(kind=chat_transcript.CHAT_ENDED).count() == 1


def test_widget_works_when_embedded_by_a_site_on_another_origin(
    page: Page, live_server: LiveServer, agent: User, foreign_site: str
) -> None:
    page.goto(foreign_site)
    frame = open_widget(page)

    write(frame, "Hello from another site")

    expect(frame.locator(".from-visitor[data-state=sent]")).to_have_count(1)
    conversation = Conversation.objects.get()
    replies.reply(conversation, agent, "Hello back!")
    expect(frame.locator(".from-agent .chat-text")).to_have_text(
        ["Hello back!"], timeout=REPLY_WAIT_MS
    )

"""A survey is answered by the customer, never by the team (trust issue, finding 3).

An agent whose chat customer was sent a survey must find no usable link anywhere they look:
the thread, the API, the chat endpoints with their own session; and the survey page refuses a
signed-in colleague without using up the customer's link.
"""

from __future__ import annotations

import re
import uuid
from importlib import import_module

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.services import create_api_key
from careloop.conversations.channels import chat, chat_visitors
from careloop.conversations.models import Conversation, Message, Status
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status
from careloop.core.permissions import Role
from careloop.feedback.models import SurveyInvitation, SurveyLink, SurveyResponse
from careloop.feedback.selectors import score_card
from careloop.feedback.services import surveys
from careloop.people.models import User
from tests.feedback.factories import sent_invitation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
SURVEY_PATH = re.compile(r"/survey/[^\s\"'<]+/")
CHAT = "HTTP_X_CARELOOP_CHAT"


def chat_survey(agent: User) -> tuple[chat_visitors.ChatVisitor, Conversation, SurveyInvitation]:
    """A visitor's chat, handled by `agent`, solved, and its survey sent into the chat."""
    visitor = chat_visitors.new_visitor()
    posted = chat.post_customer_message(
        visitor,
        chat_visitors.parse_message_input(
            {"client_message_id": str(uuid.uuid4()), "text": "Hi there"}
        ),
    )
    conversation = posted.message.conversation
    assign(conversation, agent, actor=agent)
    change_status(conversation, Status.SOLVED, actor=agent)
    conversation.refresh_from_db()
    return visitor, conversation, sent_invitation(conversation)


def visitor_link(visitor: chat_visitors.ChatVisitor) -> str:
    body = Client().post(reverse("conversations:chat-session"), **{CHAT: visitor.token}).json()
    [shown] = [message for message in body["messages"] if "link" in message]
    assert shown["text"].startswith("Thanks for chatting with us")
    url: str = shown["link"]["url"]
    return url.removeprefix("http://testserver")


def test_the_thread_and_every_stored_text_say_survey_sent_without_a_link() -> None:
    agent = UserFactory(role=Role.AGENT)
    _, conversation, invitation = chat_survey(agent)
    assert invitation.chat_message is not None
    assert invitation.chat_message.body_text == surveys.CHAT_SURVEY_NOTE
    for message in conversation.messages.all():
        assert not SURVEY_PATH.search(message.body_text)
    assert not SURVEY_PATH.search(conversation.search_text)

    staff = Client()
    staff.force_login(agent)
    page = staff.get(reverse("conversations:conversation", args=[conversation.pk]))
    assert page.status_code == 200
    assert b"Survey sent" in page.content
    assert not SURVEY_PATH.search(page.content.decode())


def test_the_api_serialises_the_survey_message_without_a_link() -> None:
    agent = UserFactory(role=Role.AGENT)
    _, conversation, _ = chat_survey(agent)
    _, secret = create_api_key(
        name="Agent's integration",
        owner=agent,
        scopes=["conversations:read"],
        created_by=agent,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get(reverse("api:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    assert "Survey sent" in response.content.decode()
    assert not SURVEY_PATH.search(response.content.decode())


def test_the_chat_endpoints_give_an_agents_session_no_link() -> None:
    agent = UserFactory(role=Role.AGENT)
    chat_survey(agent)
    staff = Client()
    staff.force_login(agent)
    assert staff.get(reverse("conversations:chat-messages")).status_code == 401
    session = staff.post(reverse("conversations:chat-session"))
    assert session.status_code == 200
    assert session.json()["messages"] == []
    assert not SURVEY_PATH.search(session.content.decode())


def test_only_the_visitors_own_chat_shows_the_link_and_the_customer_can_answer_once() -> None:
    agent = UserFactory(role=Role.AGENT)
    visitor, _, invitation = chat_survey(agent)
    stranger = chat_visitors.new_visitor()
    chat.post_customer_message(
        stranger,
        chat_visitors.parse_message_input(
            {"client_message_id": str(uuid.uuid4()), "text": "Hello"}
        ),
    )
    others = Client().post(reverse("conversations:chat-session"), **{CHAT: stranger.token})
    assert not SURVEY_PATH.search(others.content.decode())

    path = visitor_link(visitor)
    customer = Client()
    assert customer.get(path).status_code == 200
    assert customer.post(path, {"csat": "5", "ces": "7"}).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.ANSWERED
    # Afterwards the chat thanks the visitor and offers no link.
    again = Client().post(reverse("conversations:chat-session"), **{CHAT: visitor.token})
    assert not SURVEY_PATH.search(again.content.decode())
    assert "Thank you for answering" in again.content.decode()


def test_a_signed_in_colleague_cannot_answer_and_leaves_the_link_to_the_customer() -> None:
    agent = UserFactory(role=Role.AGENT)
    visitor, _, invitation = chat_survey(agent)
    path = visitor_link(visitor)

    staff = Client()
    staff.force_login(agent)
    assert staff.get(path).status_code == 403
    refused = staff.post(path, {"csat": "5", "ces": "7"})
    assert refused.status_code == 403
    assert b"answered by customers only" in refused.content
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.SENT
    assert score_card(SurveyInvitation.objects.all()).csat.answers == 0

    answered = Client().post(path, {"csat": "2", "ces": "3"})
    assert answered.status_code == 200
    assert b"already been answered" not in answered.content
    assert SurveyResponse.objects.get().csat == 2


def test_a_signed_in_colleague_cannot_use_an_emailed_link_either() -> None:
    agent = UserFactory(role=Role.AGENT)
    _, conversation, invitation = chat_survey(agent)
    conversation.customer.email = "kim@example.com"
    conversation.customer.save(update_fields=["email"])
    surveys.send_reminder(invitation)
    found = SURVEY_PATH.search(mail.outbox[-1].body)
    assert found is not None
    staff = Client()
    staff.force_login(UserFactory(role=Role.TEAM_LEAD))
    assert staff.post(found.group(0), {"csat": "5", "ces": "7"}).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_links_posted_into_chats_before_the_fix_are_replaced_by_survey_sent() -> None:
    from django.apps import apps

    hide = import_module("careloop.feedback.migrations.0003_hide_survey_links_posted_in_chats")
    visitor, _, invitation = chat_survey(UserFactory(role=Role.AGENT))
    old = invitation.chat_message
    assert old is not None
    SurveyInvitation.objects.filter(pk=invitation.pk).update(chat_message=None)
    SurveyLink.objects.filter(invitation=invitation).delete()
    Message.objects.filter(pk=old.pk).update(
        body_text=f"{hide.OLD_TEXT} http://testserver/survey/leaked-token/"
    )

    hide.hide_posted_links(apps, None)

    old.refresh_from_db()
    assert old.body_text == surveys.CHAT_SURVEY_NOTE
    assert Client().get(visitor_link(visitor)).status_code == 200

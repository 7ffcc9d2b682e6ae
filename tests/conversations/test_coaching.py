"""The empathy engine inside the inbox: readings, the live coach and private reply scores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations import reading
from careloop.conversations.models import Channel, Conversation, Message, ReplyScoreDispute
from careloop.conversations.services import conversations, replies
from careloop.conversations.tasks import score_unscored_messages
from careloop.core.permissions import Role
from careloop.empathy import engine
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ANGRY = (
    "This is the THIRD time my order arrived broken. I'm furious and nobody is helping me. "
    "Absolutely unacceptable."
)
CALM = "Hi, could you send me a copy of the invoice for order 1042? Thanks."
CapturedCommits = Callable[..., object]


def customer_writes(text: str, capture: CapturedCommits) -> Message:
    with capture(execute=True):  # type: ignore[operator]
        return conversations.receive_customer_message(
            CustomerFactory(), channel=Channel.EMAIL, body_text=text
        )


def test_every_customer_message_is_read_after_it_is_stored(
    django_capture_on_commit_callbacks: CapturedCommits,
) -> None:
    angry = customer_writes(ANGRY, django_capture_on_commit_callbacks)
    calm = customer_writes(CALM, django_capture_on_commit_callbacks)
    angry.refresh_from_db()
    calm.refresh_from_db()
    assert angry.scored_at is not None and calm.scored_at is not None
    assert angry.distress is not None and calm.distress is not None
    assert angry.distress > calm.distress
    labels = angry.emotions["labels"]
    assert len(labels) == 28 and {"anger", "annoyance", "gratitude", "neutral"} <= set(labels)
    conversation = Conversation.objects.get(pk=angry.conversation_id)
    assert conversation.distress == angry.distress
    calm_conversation = Conversation.objects.get(pk=calm.conversation_id)
    assert conversation.care_priority > calm_conversation.care_priority


def test_a_failed_reading_keeps_the_message_and_is_retried(
    django_capture_on_commit_callbacks: CapturedCommits, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(texts: object) -> object:
        raise RuntimeError("model file unreadable")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "read_customer_messages", broken)
        message = customer_writes(ANGRY, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.scored_at is None
    assert message.body_text == ANGRY

    Message.objects.filter(pk=message.pk).update(
        created_at=message.created_at - timedelta(days=400)
    )
    assert score_unscored_messages.call() == 1
    message.refresh_from_db()
    assert message.scored_at is not None


def test_the_coach_reads_a_draft_against_the_customers_words(
    client_as: Callable[[Role], Client], django_capture_on_commit_callbacks: CapturedCommits
) -> None:
    conversation = customer_writes(ANGRY, django_capture_on_commit_callbacks).conversation
    client = client_as(Role.AGENT)
    url = reverse("conversations:coach", args=[conversation.pk])

    cold = client.post(url, {"body": "Your order number is 1042."}).content.decode()
    assert "does not show empathy yet" in cold

    wall = client.post(
        url,
        {"body": "We can't swap it, it would show on our inventory and I'd be held responsible."},
    )
    assert wall.context["coaching"].walls, "a policy wall should be flagged"

    warm = client.post(
        url,
        {
            "body": "I'm so sorry, that sounds really frustrating after three broken deliveries. "
            "Could you tell me which item broke this time? I'll send a replacement today."
        },
    ).context["coaching"]
    cold_levels = client.post(url, {"body": "Your order number is 1042."}).context["coaching"]
    assert warm.levels["emotional_reactions"] > cold_levels.levels["emotional_reactions"]
    assert warm.levels["explorations"] > cold_levels.levels["explorations"]


def test_empty_drafts_get_the_quiet_panel(client_as: Callable[[Role], Client]) -> None:
    conversation = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text=CALM
    ).conversation
    response = client_as(Role.AGENT).post(
        reverse("conversations:coach", args=[conversation.pk]), {"body": "   "}
    )
    assert response.context["coaching"] is None


@pytest.fixture
def scored_reply(django_capture_on_commit_callbacks: CapturedCommits) -> Message:
    team = TeamFactory()
    author = UserFactory(role=Role.AGENT, team=team)
    conversation = customer_writes(ANGRY, django_capture_on_commit_callbacks).conversation
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        reply = replies.reply(conversation, author, "I'm so sorry. What happened this time?")
    reply.refresh_from_db()
    return reply


def test_a_sent_reply_is_scored_for_its_author_and_their_coach_only(
    scored_reply: Message,
) -> None:
    assert scored_reply.reply_score is not None
    assert {"emotional_reactions", "interpretations", "explorations", "empathy"} <= set(
        scored_reply.reply_score
    )
    author = scored_reply.author
    assert isinstance(author, User)
    lead = UserFactory(role=Role.TEAM_LEAD, team=author.team)
    other_lead = UserFactory(role=Role.TEAM_LEAD)
    colleague = UserFactory(role=Role.AGENT, team=author.team)
    cx_leader = UserFactory(role=Role.CX_LEADER)
    assert reading.may_see_reply_score(author, scored_reply)
    assert reading.may_see_reply_score(lead, scored_reply)
    for outsider in (other_lead, colleague, cx_leader):
        assert not reading.may_see_reply_score(outsider, scored_reply)


def test_the_conversation_page_hides_scores_from_colleagues(
    scored_reply: Message, client: Client
) -> None:
    url = reverse("conversations:conversation", args=[scored_reply.conversation_id])
    author = scored_reply.author
    assert isinstance(author, User)
    client.force_login(author)
    assert "Coach's score" in client.get(url).content.decode()
    client.force_login(UserFactory(role=Role.AGENT, team=author.team))
    assert "Coach's score" not in client.get(url).content.decode()


def test_only_the_author_can_say_a_score_is_wrong(scored_reply: Message, client: Client) -> None:
    url = reverse("conversations:dispute-score", args=[scored_reply.pk])
    payload = {"mechanism": "explorations", "agent_level": "2", "note": "I asked a question"}
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.post(url, payload).status_code == 403
    author = scored_reply.author
    assert isinstance(author, User)
    client.force_login(author)
    client.post(url, payload)
    dispute = ReplyScoreDispute.objects.get()
    assert (dispute.mechanism, dispute.agent_level) == ("explorations", 2)
    assert dispute.model_level == scored_reply.reply_score["explorations"]  # type: ignore[index]


def test_the_coach_sits_above_the_send_button_and_speaks_plain_text(
    client_as: Callable[[Role], Client], django_capture_on_commit_callbacks: CapturedCommits
) -> None:
    conversation = customer_writes(ANGRY, django_capture_on_commit_callbacks).conversation
    client = client_as(Role.AGENT)

    page = client.get(reverse("conversations:conversation", args=[conversation.pk])).content
    wall = client.post(
        reverse("conversations:coach", args=[conversation.pk]), {"body": "That's our policy."}
    ).content.decode()

    html = page.decode()
    assert html.index('id="coach"') < html.index('data-testid="send-reply"')
    assert '<button type="submit" form="composer" data-testid="send-reply">' in html
    assert "what you can do" in wall
    assert "*can*" not in wall


SPANISH = "Mi pedido llegó roto y nadie me responde. Estoy muy enfadada con ustedes."


def test_a_message_in_another_language_is_not_read_and_priority_says_so(
    django_capture_on_commit_callbacks: CapturedCommits,
) -> None:
    english = customer_writes(ANGRY, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        spanish = conversations.receive_customer_message(
            english.conversation.customer,
            channel=Channel.EMAIL,
            body_text=SPANISH,
            conversation=english.conversation,
        )
    spanish.refresh_from_db()
    conversation = Conversation.objects.get(pk=spanish.conversation_id)

    assert spanish.scored_at is not None
    assert spanish.distress is None
    assert spanish.emotions == {"not_read": "Spanish", "language": "es"}
    # The latest message decides: the earlier English reading is not passed off as this one's.
    assert conversation.distress is None
    assert conversation.distress_not_read == "Spanish"
    assert "Distress not read: Spanish" in conversation.care_priority_reasons
    assert not any(
        reason.startswith("Customer sounds") for reason in conversation.care_priority_reasons
    )


def test_the_coach_does_not_score_a_conversation_in_another_language(
    client_as: Callable[[Role], Client], django_capture_on_commit_callbacks: CapturedCommits
) -> None:
    conversation = customer_writes(SPANISH, django_capture_on_commit_callbacks).conversation
    url = reverse("conversations:coach", args=[conversation.pk])

    response = client_as(Role.AGENT).post(url, {"body": "Lo siento mucho, le envío otro hoy."})

    assert response.context["coaching"].not_scored == "Spanish"
    page = response.content.decode()
    assert "Empathy not scored: Spanish" in page
    assert "Emotional reaction" not in page

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from careloop.conversations.models import Channel, Conversation, Message
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.people.models import User
from careloop.recognition.models import StoryOrigin, StoryStatus, SuccessStory
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory


def conversation_with_reply(
    agent: User, customer_text: str = "My tent arrived with a broken pole.", reply_text: str = ""
) -> Conversation:
    """A real conversation: the customer writes, `agent` answers in public."""
    first = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text=customer_text, subject="Broken pole"
    )
    reply(
        first.conversation,
        agent,
        reply_text or "I'm so sorry. A new pole is on its way today, no need to send anything.",
    )
    return first.conversation


def customer_says(conversation: Conversation, text: str) -> Message:
    return receive_customer_message(
        conversation.customer, channel=Channel.EMAIL, body_text=text, conversation=conversation
    )


class SuccessStoryFactory(DjangoModelFactory[SuccessStory]):
    class Meta:
        model = SuccessStory

    agent = factory.SubFactory(UserFactory)
    conversation = factory.LazyAttribute(lambda story: conversation_with_reply(story.agent))
    customer_words = "Thank you so much, you were brilliant!"
    source_label = "Customer message"
    source_key = factory.Sequence(lambda n: f"test:{n}")
    origin = StoryOrigin.CUSTOMER_PRAISE
    title = factory.Sequence(lambda n: f"A customer thanked us {n}")
    status = StoryStatus.AWAITING_CONSENT

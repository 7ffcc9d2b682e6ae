from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from careloop.conversations.models import Channel, Conversation
from tests.conversations.factories import CustomerFactory


class ConversationFactory(DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"Order {n} arrived broken")
    channel = Channel.EMAIL

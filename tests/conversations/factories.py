from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from careloop.conversations.models import Channel, Conversation, Customer


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")


class ConversationFactory(DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"Order {n} arrived broken")
    channel = Channel.EMAIL

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from careloop.actions.models import ActionItem, FeedbackSession
from careloop.core.permissions import Role
from tests.people.factories import UserFactory


class ActionItemFactory(DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"Fix the refund form step {n}")
    owner = factory.SubFactory(UserFactory)
    source_kind = ActionItem.SourceKind.OTHER
    due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class FeedbackSessionFactory(DjangoModelFactory[FeedbackSession]):
    class Meta:
        model = FeedbackSession

    title = "Fortnightly one-to-one"
    lead = factory.SubFactory(UserFactory, role=Role.TEAM_LEAD)
    person = factory.SubFactory(UserFactory)
    next_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))

"""A customer's anniversary is the organisation's calendar date of the day they joined."""

from __future__ import annotations

import datetime

import pytest

from careloop.conversations.models import Customer
from careloop.feedback.services import milestones
from tests.calendar_edges import Edge, edges, stand_at
from tests.conversations.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@edges
def test_anniversaries_fall_on_the_organisations_date(
    monkeypatch: pytest.MonkeyPatch, edge: Edge
) -> None:
    milestones.seed_default_rules()
    stand_at(monkeypatch, edge)
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).update(
        created_at=edge.moment.replace(year=edge.moment.year - 2)
    )
    assert milestones.send_anniversaries(edge.today) == 1
    assert milestones.send_anniversaries(edge.today + datetime.timedelta(days=1)) == 0

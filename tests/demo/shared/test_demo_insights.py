from __future__ import annotations

import datetime

import pytest

from careloop.core import calendar
from careloop.demo.organisation import create_demo_organisation
from careloop.insights import selectors
from careloop.insights.models import DailyRollup
from tests.demo.shared import CONVERSATIONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_dashboards_have_data_for_the_last_quarter() -> None:
    today = calendar.today()
    board = selectors.dashboard(selectors.Scope(today - datetime.timedelta(days=89), today))
    assert board.sums["conversations_created"] > 0
    assert board.metrics["first_response_business_hours"] is not None
    assert board.metrics["csat"] is not None
    rows = DailyRollup.objects.count()
    create_demo_organisation(conversations=CONVERSATIONS)
    assert DailyRollup.objects.count() == rows


def test_the_demo_journey_gathers_conversations_at_its_touchpoints() -> None:
    from careloop.insights.journey import journey_map
    from careloop.insights.models import JourneyStage

    stages = journey_map()
    assert [stage.name for stage, _ in stages][:2] == ["Choose and buy", "Delivery"]
    assert sum(reading.conversations for _, readings in stages for reading in readings) > 0
    create_demo_organisation(conversations=CONVERSATIONS)
    assert JourneyStage.objects.count() == len(stages)


def test_the_demo_replies_are_scored_so_team_empathy_has_history() -> None:
    from careloop.conversations.models import Message
    from careloop.empathy.language import detect_language
    from careloop.insights.models import TeamEmpathyMonth

    replies = Message.objects.filter(author_kind=Message.Author.AGENT, is_internal_note=False)
    assert replies.exists()
    # Only replies to a customer who wrote in another language stay unscored: the coach's
    # models read English, and it says so rather than guessing.
    for reply in replies.filter(reply_score__isnull=True):
        customer = (
            Message.objects.filter(
                conversation_id=reply.conversation_id,
                author_kind=Message.Author.CUSTOMER,
                created_at__lte=reply.created_at,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        assert customer is not None
        assert not detect_language(customer.body_text).is_english
    assert replies.filter(reply_score__isnull=False).count() > replies.count() * 0.9
    assert TeamEmpathyMonth.objects.filter(replies__gt=0).exists()

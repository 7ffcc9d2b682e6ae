from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from careloop.conversations.models import Channel, Status
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core import calendar
from careloop.insights import rollups, tasks
from careloop.insights.models import CustomerActivity, DailyRollup
from careloop.insights.rollups import contiguous_runs
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_conversation_solved_today_lands_in_todays_rollup_after_the_task_runs() -> None:
    agent = UserFactory()
    conversation = receive_customer_message(
        CustomerFactory(), channel=Channel.CHAT, body_text="Hello?"
    ).conversation
    reply(conversation, agent, "Hi, how can I help?")
    change_status(conversation, Status.SOLVED, actor=agent)
    tasks.refresh_rollups.enqueue()
    [row] = DailyRollup.objects.filter(day=calendar.today())
    assert (row.channel, row.conversations_created, row.conversations_solved, row.one_touch) == (
        "chat",
        1,
        1,
        1,
    )
    assert CustomerActivity.objects.count() == 1


def test_the_refresh_recomputes_an_old_day_when_its_conversation_changed_today() -> None:
    agent = UserFactory()
    # Noon, so the reply an hour later falls on the same day whenever the test runs.
    old_day = calendar.today() - datetime.timedelta(days=20)
    long_ago = calendar.start_of_day(old_day) + datetime.timedelta(hours=12)
    conversation = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Broken zip.", at=long_ago
    ).conversation
    rollups.rebuild(30)
    assert DailyRollup.objects.get(day=old_day).first_response_count == 0
    reply(conversation, agent, "Sorry about the zip.", at=long_ago + datetime.timedelta(hours=1))
    rollups.refresh_recent()
    assert DailyRollup.objects.get(day=old_day).first_response_count == 1


def test_rebuild_command_rebuilds_history_and_refuses_nonsense() -> None:
    receive_customer_message(CustomerFactory(), channel=Channel.API, body_text="Order 12?")
    call_command("insights", "rebuild", "--days", "3")
    assert DailyRollup.objects.get().conversations_created == 1
    with pytest.raises(CommandError):
        call_command("insights", "rebuild", "--days", "0")


def test_contiguous_days_are_recomputed_together() -> None:
    day = datetime.date(2026, 3, 1)
    runs = contiguous_runs(
        [day, day + datetime.timedelta(days=1), day + datetime.timedelta(days=5)]
    )
    assert runs == [
        (day, day + datetime.timedelta(days=1)),
        (day + datetime.timedelta(days=5), day + datetime.timedelta(days=5)),
    ]


def test_recompute_refuses_a_backwards_range() -> None:
    with pytest.raises(ValueError, match="before the first"):
        rollups.recompute_days(datetime.date(2026, 3, 2), datetime.date(2026, 3, 1))


def test_team_empathy_is_rolled_up_per_month_with_the_number_of_agents() -> None:
    from careloop.conversations.models import Message
    from careloop.insights.models import TeamEmpathyMonth
    from careloop.insights.sources import culture_by_team, culture_sources
    from tests.people.factories import TeamFactory

    team = TeamFactory()
    agents = [UserFactory(team=team) for _ in range(5)]
    for index, agent in enumerate(agents):
        conversation = receive_customer_message(
            CustomerFactory(), channel=Channel.EMAIL, body_text="My boots leak."
        ).conversation
        assign(conversation, agent, actor=agent)
        message = reply(conversation, agent, "I am so sorry, that is miserable on a hike.")
        Message.objects.filter(pk=message.pk).update(reply_score={"empathy": 0.2 * index})
    rollups.rebuild(1)
    month = calendar.today().replace(day=1)
    row = TeamEmpathyMonth.objects.get(team=team, month=month)
    assert (row.replies, row.agents) == (5, 5)
    assert row.empathy == pytest.approx(0.4)
    shown = culture_by_team(culture_sources()["empathy"].read(month, month))[team.pk]
    assert shown.value == pytest.approx(0.4)
    # With four agents the team-month falls below the privacy minimum and is hidden.
    TeamEmpathyMonth.objects.filter(pk=row.pk).update(agents=4)
    assert culture_by_team(culture_sources()["empathy"].read(month, month))[team.pk].value is None


def test_retention_is_recomputed_after_the_rollups_change() -> None:
    from careloop.insights import selectors

    today = calendar.today()
    scope = selectors.Scope(today - datetime.timedelta(days=6), today)
    receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    rollups.rebuild(2)
    assert selectors.retention(scope).at_end == 1
    receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hello")
    tasks.refresh_rollups.enqueue()
    assert selectors.retention(scope).at_end == 2

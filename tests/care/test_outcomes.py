from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from careloop.care import outcomes, services
from careloop.care.models import Gesture
from careloop.conversations.models import Conversation, Tag
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def gesture_on(agent: User, conversation: Conversation, amount: str, days_ago: int) -> Gesture:
    gesture = services.grant_gesture(
        agent=agent, conversation=conversation, kind="credit", amount=Decimal(amount), reason="x"
    )
    Gesture.objects.filter(pk=gesture.pk).update(created_at=timezone.now() - days_ago * DAY)
    gesture.refresh_from_db()
    return gesture


def later_conversation(original: Conversation, days_after: int, *tags: Tag) -> Conversation:
    follow_up = ConversationFactory(
        customer=original.customer,
        team=original.team,
        created_at=timezone.now() - 100 * DAY + days_after * DAY,
    )
    follow_up.tags.set(tags)
    return follow_up


def test_follow_up_tells_coming_back_from_the_same_problem_returning(
    agent: User, team: Team
) -> None:
    damaged = Tag.objects.create(name="damaged")
    came_back_happily = ConversationFactory(team=team)
    same_problem = ConversationFactory(team=team)
    same_problem.tags.add(damaged)
    never_back = ConversationFactory(team=team)
    happy = gesture_on(agent, came_back_happily, "10", days_ago=100)
    again = gesture_on(agent, same_problem, "10", days_ago=100)
    gone = gesture_on(agent, never_back, "10", days_ago=100)
    later_conversation(came_back_happily, 40)  # new question, weeks later
    later_conversation(same_problem, 50, damaged)  # same tag: the problem came back

    found = outcomes.follow_ups([happy, again, gone], timezone.now())

    assert (found[happy.pk].came_back, found[happy.pk].same_problem_again) == (True, False)
    assert found[happy.pk].recovered
    assert (found[again.pk].came_back, found[again.pk].same_problem_again) == (True, True)
    assert not found[again.pk].recovered
    assert (found[gone.pk].came_back, found[gone.pk].window_complete) == (False, True)


def test_a_new_conversation_within_two_weeks_counts_as_the_same_problem(
    agent: User, team: Team
) -> None:
    conversation = ConversationFactory(team=team)
    gesture = gesture_on(agent, conversation, "10", days_ago=100)
    later_conversation(conversation, 5)
    assert outcomes.follow_ups([gesture], timezone.now())[gesture.pk].same_problem_again


def test_survey_scores_come_through_the_hook_and_decide_recovery(
    agent: User, team: Team, survey_scores: dict[int, outcomes.SurveyScore]
) -> None:
    pleased, displeased = ConversationFactory(team=team), ConversationFactory(team=team)
    good = gesture_on(agent, pleased, "30", days_ago=10)
    bad = gesture_on(agent, displeased, "30", days_ago=10)
    survey_scores[pleased.pk] = outcomes.SurveyScore(csat=5, nps=9)
    survey_scores[displeased.pk] = outcomes.SurveyScore(csat=2)

    found = outcomes.follow_ups([good, bad], timezone.now())

    assert (found[good.pk].csat, found[good.pk].nps, found[good.pk].recovered) == (5, 9, True)
    assert (found[bad.pk].csat, found[bad.pk].recovered) == (2, False)


def test_report_rows_give_cost_per_recovered_customer_by_type_and_team(
    agent: User, team: Team, survey_scores: dict[int, outcomes.SurveyScore]
) -> None:
    first, second = ConversationFactory(team=team), ConversationFactory(team=team)
    gestures = [gesture_on(agent, first, "30", 10), gesture_on(agent, second, "50", 10)]
    survey_scores[first.pk] = outcomes.SurveyScore(csat=5)
    survey_scores[second.pk] = outcomes.SurveyScore(csat=4)
    swap = services.grant_gesture(
        agent=agent,
        conversation=first,
        kind="swap",
        amount=Decimal("0"),
        reason="Wrong size",
        items_out="Shoes 42",
        items_in="Shoes 43",
    )

    shown = [*gestures, swap]
    rows = outcomes.outcome_rows(shown, outcomes.follow_ups(shown, timezone.now()))

    by_kind = {row.kind: row for row in rows}
    assert by_kind["Credit"].cost == Decimal("80.00")
    assert by_kind["Credit"].cost_per_recovered_customer == Decimal("40.00")
    assert by_kind["Credit"].average_csat == 4.5
    assert by_kind["Like-for-like swap"].cost == Decimal("0")
    assert {row.team for row in rows} == {"Returns"}


def test_baseline_compares_retention_with_similar_conversations_without_a_gesture(
    agent: User, team: Team
) -> None:
    with_gesture = ConversationFactory(team=team, created_at=timezone.now() - 120 * DAY)
    gesture = gesture_on(agent, with_gesture, "10", days_ago=120)
    Gesture.objects.filter(pk=gesture.pk).update(created_at=with_gesture.created_at)
    gesture.refresh_from_db()
    similar = ConversationFactory(team=team, created_at=with_gesture.created_at)
    ConversationFactory(customer=similar.customer, team=team, created_at=timezone.now() - 60 * DAY)

    baseline = outcomes.baselines([gesture], timezone.now())

    assert [(b.team, b.conversations, b.retention) for b in baseline] == [("Returns", 1, 1.0)]

"""What happened after each gesture, and what gestures achieve by type and team.

Follow-up from conversations is computed here: did the customer come back within 90 days, did
they contact us again about the same problem. Survey scores (CSAT, NPS) come from whatever
source is registered with `register_survey_score_source` (the feedback app registers one).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from careloop.care.models import ZERO, Gesture, GestureKind, GestureStatus
from careloop.conversations.models import Conversation
from careloop.core.scales import CSAT

RETENTION_WINDOW = datetime.timedelta(days=90)
# A new conversation this soon after the gesture counts as the same problem coming back.
SAME_PROBLEM_WINDOW = datetime.timedelta(days=14)


@dataclass(frozen=True)
class SurveyScore:
    """A conversation's survey answers, as far as there are any."""

    csat: int | None = None  # 1..5
    nps: int | None = None  # 0..10


SurveyScoreSource = Callable[[Sequence[int]], Mapping[int, SurveyScore]]
_survey_score_sources: list[SurveyScoreSource] = []


def register_survey_score_source(source: SurveyScoreSource) -> None:
    """Plug in where CSAT/NPS per conversation come from: `source(conversation_ids)` answers
    `{conversation_id: SurveyScore}` for the conversations it has answers for."""
    if source not in _survey_score_sources:
        _survey_score_sources.append(source)


def unregister_survey_score_source(source: SurveyScoreSource) -> None:
    if source in _survey_score_sources:
        _survey_score_sources.remove(source)


def survey_scores_for(conversation_ids: Sequence[int]) -> dict[int, SurveyScore]:
    """CSAT and NPS per conversation from every registered source; later sources fill gaps."""
    scores: dict[int, SurveyScore] = {}
    for source in _survey_score_sources:
        for conversation_id, score in source(conversation_ids).items():
            known = scores.get(conversation_id, SurveyScore())
            scores[conversation_id] = SurveyScore(
                csat=known.csat if known.csat is not None else score.csat,
                nps=known.nps if known.nps is not None else score.nps,
            )
    return scores


@dataclass(frozen=True)
class FollowUp:
    came_back: bool  # a later conversation from the customer within 90 days
    same_problem_again: bool  # a later one within 14 days or sharing a tag
    window_complete: bool  # 90 days have passed, so "did not come back" is final
    csat: int | None
    nps: int | None

    @property
    def recovered(self) -> bool:
        """Satisfied in the survey, or back later without the problem returning."""
        if self.csat is not None:
            return CSAT.is_good(self.csat) and not self.same_problem_again
        return self.came_back and not self.same_problem_again


History = list[tuple[int, datetime.datetime, set[int]]]


def _later_conversations(conversations: Iterable[Conversation]) -> dict[int, History]:
    """Per customer, each conversation's id, start and tag ids, for follow-up matching."""
    customer_ids = {conversation.customer_id for conversation in conversations}
    found: dict[int, History] = defaultdict(list)
    rows = Conversation.objects.filter(
        customer_id__in=customer_ids, merged_into__isnull=True
    ).prefetch_related("tags")
    for row in rows:
        found[row.customer_id].append((row.pk, row.created_at, {tag.pk for tag in row.tags.all()}))
    return found


def _follow_up(
    start: datetime.datetime,
    conversation_id: int,
    tags: set[int],
    history: History,
    now: datetime.datetime,
    score: SurveyScore | None,
) -> FollowUp:
    later = [
        (at, tag_ids)
        for pk, at, tag_ids in history
        if pk != conversation_id and start < at <= start + RETENTION_WINDOW
    ]
    return FollowUp(
        came_back=bool(later),
        same_problem_again=any(
            at - start <= SAME_PROBLEM_WINDOW or bool(tags & tag_ids) for at, tag_ids in later
        ),
        window_complete=now - start >= RETENTION_WINDOW,
        csat=score.csat if score else None,
        nps=score.nps if score else None,
    )


def follow_ups(gestures: Sequence[Gesture], now: datetime.datetime) -> dict[int, FollowUp]:
    """Per gesture id, what happened next."""
    conversations = [gesture.conversation for gesture in gestures]
    history = _later_conversations(conversations)
    scores = survey_scores_for(sorted({c.pk for c in conversations}))
    tags = _tag_ids({c.pk for c in conversations})
    return {
        gesture.pk: _follow_up(
            gesture.created_at,
            gesture.conversation_id,
            tags.get(gesture.conversation_id, set()),
            history.get(gesture.customer_id, []),
            now,
            scores.get(gesture.conversation_id),
        )
        for gesture in gestures
    }


def _tag_ids(conversation_ids: set[int]) -> dict[int, set[int]]:
    through = Conversation.tags.through.objects.filter(conversation_id__in=conversation_ids)
    found: dict[int, set[int]] = defaultdict(set)
    for conversation_id, tag_id in through.values_list("conversation_id", "tag_id"):
        found[conversation_id].add(tag_id)
    return found


@dataclass
class OutcomeRow:
    """One line of the report: a gesture type within a team."""

    team: str
    kind: str
    gestures: int = 0
    cost: Decimal = ZERO
    customers: set[int] = field(default_factory=set)
    recovered_customers: set[int] = field(default_factory=set)
    retained: int = 0
    # Gestures whose outcome is known: the customer came back, or 90 days have passed.
    retention_known: int = 0
    csat_total: int = 0
    csat_count: int = 0

    @property
    def cost_per_recovered_customer(self) -> Decimal | None:
        if not self.recovered_customers:
            return None
        return (self.cost / len(self.recovered_customers)).quantize(Decimal("0.01"))

    @property
    def retention(self) -> float | None:
        return self.retained / self.retention_known if self.retention_known else None

    @property
    def average_csat(self) -> float | None:
        return self.csat_total / self.csat_count if self.csat_count else None


@dataclass(frozen=True)
class Baseline:
    """Retention of similar conversations without a gesture, for comparison."""

    team: str
    conversations: int
    retention: float | None


def outcome_rows(gestures: Sequence[Gesture], found: Mapping[int, FollowUp]) -> list[OutcomeRow]:
    rows: dict[tuple[str, str], OutcomeRow] = {}
    for gesture in gestures:
        team = gesture.team.name if gesture.team else "No team"
        kind = GestureKind(gesture.kind).label
        row = rows.setdefault((team, kind), OutcomeRow(team=team, kind=kind))
        follow_up = found[gesture.pk]
        row.gestures += 1
        row.cost += gesture.cost
        row.customers.add(gesture.customer_id)
        row.retained += follow_up.came_back
        row.retention_known += follow_up.came_back or follow_up.window_complete
        if follow_up.recovered:
            row.recovered_customers.add(gesture.customer_id)
        if follow_up.csat is not None:
            row.csat_total += follow_up.csat
            row.csat_count += 1
    return sorted(rows.values(), key=lambda row: (row.team, row.kind))


def baselines(gestures: Sequence[Gesture], now: datetime.datetime) -> list[Baseline]:
    """Per team: conversations from the same period that got no gesture but share a tag with
    ones that did (all the team's conversations when gestured ones carry no tags)."""
    by_team: dict[int | None, list[Gesture]] = defaultdict(list)
    for gesture in gestures:
        by_team[gesture.team_id].append(gesture)
    result = []
    for team_gestures in by_team.values():
        team = team_gestures[0].team
        start = min(g.created_at for g in team_gestures)
        end = max(g.created_at for g in team_gestures)
        gestured = {g.conversation_id for g in team_gestures}
        tag_ids = set().union(*_tag_ids(gestured).values())
        similar = Conversation.objects.filter(
            team=team, created_at__range=(start, end), merged_into__isnull=True
        ).exclude(pk__in=Gesture.objects.values("conversation_id"))
        if tag_ids:
            similar = similar.filter(tags__in=tag_ids).distinct()
        retention = _retention(list(similar[:2000]), now)
        result.append(Baseline(team.name if team else "No team", *retention))
    return sorted(result, key=lambda baseline: baseline.team)


def _retention(
    conversations: list[Conversation], now: datetime.datetime
) -> tuple[int, float | None]:
    if not conversations:
        return 0, None
    history = _later_conversations(conversations)
    came_back = sum(
        _follow_up(c.created_at, c.pk, set(), history.get(c.customer_id, []), now, None).came_back
        for c in conversations
    )
    return len(conversations), came_back / len(conversations)


def reportable(gestures: QuerySet[Gesture]) -> QuerySet[Gesture]:
    """Gestures the customer actually received: granted at once or approved."""
    return gestures.filter(status__in=(GestureStatus.GRANTED, GestureStatus.APPROVED))

"""Reads for the journey map: what customers bring to each touchpoint, so pain shows."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils import timezone

from careloop.conversations.models import Conversation
from careloop.core.scales import CSAT
from careloop.feedback.models import SurveyResponse, ThemeAssignment, ThemeSource
from careloop.insights.models import JourneyStage, Touchpoint

WINDOW_DAYS = 90
# Above this mean distress (0..1) a touchpoint is flagged as a pain point.
PAIN_DISTRESS = 0.5
PAIN_CSAT = 70.0


@dataclass(frozen=True)
class TouchpointReading:
    touchpoint: Touchpoint
    conversations: int
    distress: float | None
    csat: float | None
    csat_answers: int
    themes: list[tuple[str, int]]
    emotions: list[str]
    examples: list[Conversation]

    @property
    def is_pain_point(self) -> bool:
        return (self.distress is not None and self.distress >= PAIN_DISTRESS) or (
            self.csat is not None and self.csat < PAIN_CSAT and self.csat_answers >= 5
        )


def _reading(touchpoint: Touchpoint, since: datetime.datetime) -> TouchpointReading:
    tag_ids = [tag.pk for tag in touchpoint.tags.all()]
    conversations = Conversation.objects.filter(
        merged_into__isnull=True, created_at__gte=since, tags__in=tag_ids
    ).distinct()
    if touchpoint.channel:
        conversations = conversations.filter(channel=touchpoint.channel)
    ids = list(conversations.values_list("pk", flat=True)[:5000])
    figures = Conversation.objects.filter(pk__in=ids).aggregate(n=Count("pk"), d=Avg("distress"))
    answers = SurveyResponse.objects.filter(conversation_id__in=ids, csat__isnull=False)
    csat = answers.aggregate(n=Count("pk"), good=Count("pk", filter=CSAT.good()))
    response_ids = list(answers.values_list("pk", flat=True))
    assignments = ThemeAssignment.objects.filter(
        Q(source=ThemeSource.TAGS, source_id__in=ids)
        | Q(source=ThemeSource.COMMENT, source_id__in=response_ids)
    ).select_related("theme")
    themes: Counter[str] = Counter()
    emotions: dict[str, float] = defaultdict(float)
    for assignment in assignments:
        themes[assignment.theme.label] += 1
        for emotion, value in (assignment.emotions or {}).items():
            emotions[emotion] += float(value)
    return TouchpointReading(
        touchpoint=touchpoint,
        conversations=figures["n"],
        distress=round(figures["d"], 2) if figures["d"] is not None else None,
        csat=round(100 * csat["good"] / csat["n"], 1) if csat["n"] else None,
        csat_answers=csat["n"],
        themes=themes.most_common(3),
        emotions=sorted(emotions, key=lambda emotion: -emotions[emotion])[:3],
        examples=list(
            Conversation.objects.filter(pk__in=ids).order_by("-distress", "-created_at")[:3]
        ),
    )


def journey_map(
    now: datetime.datetime | None = None,
) -> list[tuple[JourneyStage, list[TouchpointReading]]]:
    """Each stage with its touchpoints and what the last WINDOW_DAYS days brought to them."""
    since = (now or timezone.now()) - datetime.timedelta(days=WINDOW_DAYS)
    stages = JourneyStage.objects.prefetch_related("touchpoints__tags")
    return [
        (stage, [_reading(touchpoint, since) for touchpoint in stage.touchpoints.all()])
        for stage in stages
    ]

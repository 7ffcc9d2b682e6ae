"""Themes across what customers tell us: survey comments, concerns and conversation tags.

Texts are scrubbed of personal data first, then grouped with the empathy engine's encoder.
Stored themes keep their centroid, so a new text joins the theme it is nearest to and a name a
person gave a theme survives every refresh; only texts that fit no theme are clustered anew.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.empathy.engine import read_customer_messages
from careloop.empathy.scrub import scrub_personal_data
from careloop.empathy.semantic import embed_texts
from careloop.empathy.themes import Theme as FoundTheme
from careloop.empathy.themes import find_themes, nearest_theme
from careloop.feedback.models import (
    Concern,
    SurveyResponse,
    Theme,
    ThemeAssignment,
    ThemeSource,
)
from careloop.people import selectors as people

JOIN_SIMILARITY = 0.5
# A newly found group this close to a stored theme is that theme, not a new one.
MERGE_SIMILARITY = 0.85
LOOKBACK_DAYS = 365
MIN_THEME_SIZE = 3
MAX_NEW_THEMES = 8
MAX_SPLITS = 2


@dataclass(frozen=True)
class PendingText:
    source: str
    source_id: int
    text: str
    occurred_on: datetime.date


@dataclass(frozen=True)
class RefreshResult:
    joined: int
    new_themes: int
    unthemed: int


def _pending(since: datetime.date) -> list[PendingText]:
    done = set(ThemeAssignment.objects.values_list("source", "source_id"))
    employees = list(people.employees().values_list("full_name", flat=True))
    items: list[PendingText] = []

    def add(source: str, pk: int, text: str, day: datetime.date, names: list[str]) -> None:
        if (source, pk) not in done and text.strip():
            clean = scrub_personal_data(text, names=[*employees, *names])
            items.append(PendingText(source, pk, clean[:2000], day))

    responses = SurveyResponse.objects.filter(answered_at__date__gte=since).exclude(comment="")
    for response in responses.select_related("customer").order_by("pk"):
        add(
            ThemeSource.COMMENT,
            response.pk,
            response.comment,
            calendar.local_date(response.answered_at),
            [response.customer.full_name],
        )
    for concern in Concern.objects.filter(raised_on__gte=since).order_by("pk"):
        add(ThemeSource.CONCERN, concern.pk, concern.body, concern.raised_on, [concern.name])
    tagged = (
        Conversation.objects.filter(created_at__date__gte=since, tags__isnull=False)
        .prefetch_related("tags")
        .distinct()
        .order_by("pk")
    )
    for conversation in tagged:
        words = ", ".join(tag.name.replace("-", " ") for tag in conversation.tags.all())
        add(
            ThemeSource.TAGS,
            conversation.pk,
            words,
            calendar.local_date(conversation.created_at),
            [],
        )
    return items


def _centroid(theme: Theme) -> np.ndarray:
    return np.frombuffer(bytes(theme.centroid), dtype=np.float32)


def _emotions(items: list[PendingText]) -> dict[str, dict[str, float]]:
    """The emotion groups of each distinct text customers wrote (tags have none)."""
    texts = list(dict.fromkeys(i.text for i in items if i.source != ThemeSource.TAGS))
    readings = read_customer_messages(texts, explain=False)
    return {
        text: {group: round(value, 3) for group, value in reading.groups.items()}
        for text, reading in zip(texts, readings, strict=True)
    }


def _families(items: list[PendingText]) -> list[tuple[list[str], bool]]:
    """Distinct texts to group, and whether they are tag lists. People's words are clustered;
    a tag list used at least MIN_THEME_SIZE times is already a person's grouping, so it becomes
    a theme as it is (clustered with sentences it would pull them into tag-shaped themes)."""
    written = list(dict.fromkeys(item.text for item in items if item.source != ThemeSource.TAGS))
    uses = Counter(item.text for item in items if item.source == ThemeSource.TAGS)
    frequent = [text for text, count in uses.items() if count >= MIN_THEME_SIZE]
    return [(texts, is_tags) for texts, is_tags in ((written, False), (frequent, True)) if texts]


def _tag_themes(texts: list[str]) -> list[tuple[FoundTheme, list[str]]]:
    vectors = embed_texts(texts)
    return [
        (
            FoundTheme(
                label=text.capitalize(),
                keywords=tuple(text.split(", ")),
                members=(row,),
                centroid=vectors[row],
            ),
            [text],
        )
        for row, text in enumerate(texts)
    ]


def _groups(texts: list[str], depth: int = 0) -> list[tuple[FoundTheme, list[str]]]:
    """Themes among `texts`; one holding most of them is split again (twice at most), since
    short texts often score best as one or two broad groups."""
    result: list[tuple[FoundTheme, list[str]]] = []
    for found in find_themes(texts, min_size=MIN_THEME_SIZE, max_themes=MAX_NEW_THEMES):
        members = [texts[index] for index in found.members]
        if depth < MAX_SPLITS and len(members) > max(3 * MIN_THEME_SIZE, len(texts) * 0.3):
            parts = _groups(members, depth + 1)
            if len(parts) >= 2:
                result.extend(parts)
                continue
        result.append((found, members))
    return result


def _cluster(texts: list[str], is_tags: bool, themes: list[Theme], chosen: dict[str, Theme]) -> int:
    """Find themes among `texts`, reusing a stored theme a group matches; returns new ones."""
    created = 0
    for group, members in _tag_themes(texts) if is_tags else _groups(texts):
        target = None
        if themes:
            similarity = np.stack([_centroid(theme) for theme in themes]) @ group.centroid
            if float(similarity.max()) >= MERGE_SIMILARITY:
                target = themes[int(similarity.argmax())]
        if target is None:
            target = Theme.objects.create(
                label=group.label[:120],
                keywords=list(group.keywords),
                centroid=np.asarray(group.centroid, dtype=np.float32).tobytes(),
            )
            themes.append(target)
            created += 1
        for text in members:
            chosen[text] = target
    return created


@transaction.atomic
def refresh_themes(today: datetime.date | None = None) -> RefreshResult:
    """Place every new text in a theme (stored or newly found); safe to run again.

    Identical texts (the same tags on many conversations, a stock phrase) are clustered once,
    so a frequent text counts in its theme's size without drowning out the others.
    """
    today = today or calendar.today()
    items = _pending(today - datetime.timedelta(days=LOOKBACK_DAYS))
    if not items:
        return RefreshResult(0, 0, 0)
    texts = list(dict.fromkeys(item.text for item in items))
    vectors = embed_texts(texts)
    themes = list(Theme.objects.order_by("pk"))
    chosen: dict[str, Theme] = {}
    if themes:
        centroids = np.stack([_centroid(theme) for theme in themes])
        for row, index in enumerate(nearest_theme(vectors, centroids, JOIN_SIMILARITY)):
            if index >= 0:
                chosen[texts[row]] = themes[index]
    joined = sum(item.text in chosen for item in items)
    created = 0
    for leftover, is_tags in _families([item for item in items if item.text not in chosen]):
        created += _cluster(leftover, is_tags, themes, chosen)
    # Texts that formed no group of their own may still be near a theme found just now.
    rest = [row for row, text in enumerate(texts) if text not in chosen]
    if rest and created:
        centroids = np.stack([_centroid(theme) for theme in themes])
        joins = nearest_theme(vectors[rest], centroids, JOIN_SIMILARITY)
        for row, index in zip(rest, joins, strict=True):
            if index >= 0:
                chosen[texts[row]] = themes[index]
    placed = [item for item in items if item.text in chosen]
    emotions = _emotions(placed)
    ThemeAssignment.objects.bulk_create(
        ThemeAssignment(
            theme=chosen[item.text],
            source=item.source,
            source_id=item.source_id,
            text=item.text,
            occurred_on=item.occurred_on,
            emotions=emotions.get(item.text, {}) if item.source != ThemeSource.TAGS else {},
        )
        for item in placed
    )
    return RefreshResult(joined, created, len(items) - len(placed))


def rename_theme(theme: Theme, label: str) -> Theme:
    label = " ".join(label.split())
    if not label:
        raise ValidationError("A theme needs a name.")
    theme.label = label[:120]
    theme.renamed = True
    theme.save(update_fields=["label", "renamed", "updated_at"])
    return theme

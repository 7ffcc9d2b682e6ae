"""Reads for the playbook: search by meaning and words, stale articles, history and drafts."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.safestring import SafeString

from careloop.conversations.models import Conversation, Message
from careloop.core import calendar
from careloop.core.highlight import highlight, search_words
from careloop.core.permissions import Action, can
from careloop.empathy.scrub import scrub_personal_data
from careloop.empathy.semantic import embed_texts, rank_by_similarity, vector_dimensions
from careloop.people.models import User
from careloop.playbook.models import Article, ArticleRevision, ArticleVersion, Visibility

# Below this cosine similarity a meaning-only match is more noise than help.
MIN_SIMILARITY = 0.35
# Meaning-only matches this far below the best one are left out: the shared encoder rates
# most texts about orders a little alike, and a long tail of near-misses only distracts.
RELATIVE_CUTOFF = 0.15
# A match on the words themselves counts as this much extra similarity.
WORD_MATCH_BONUS = 0.35
SEARCH_LIMIT = 20


def may_edit(user: User, article: Article) -> bool:
    return user.pk == article.owner_id or can(user, Action.MANAGE_PLAYBOOK)


def needs_review(user: User, article: Article) -> bool:
    """Whether `user`'s changes to the article's text wait for a lead before they are shown:
    a published article changes only through review."""
    return article.is_public and not can(user, Action.MANAGE_PLAYBOOK)


def pending_revision(user: User, article: Article) -> ArticleRevision | None:
    """The change waiting for review, for its author, the article's owner and leads."""
    pending = (
        ArticleRevision.objects.select_related("proposed_by")
        .filter(article=article, approved_at__isnull=True)
        .first()
    )
    if pending is None or not (user.pk == pending.proposed_by_id or may_edit(user, article)):
        return None
    return pending


def articles() -> QuerySet[Article]:
    return Article.objects.select_related("owner").annotate(
        useful_votes=Count("votes", filter=Q(votes__useful=True)),
        not_useful_votes=Count("votes", filter=Q(votes__useful=False)),
    )


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(visibility=Visibility.PUBLIC).order_by("category", "title")


def stale_articles(today: datetime.date | None = None) -> QuerySet[Article]:
    """Articles past their review date, the longest overdue first."""
    today = today or calendar.today()
    return Article.objects.filter(review_by__lt=today).select_related("owner").order_by("review_by")


def due_for_reminder(today: datetime.date) -> QuerySet[Article]:
    return stale_articles(today).filter(owner__is_active=True)


@dataclass(frozen=True)
class SearchHit:
    article: Article
    similarity: float
    word_match: bool

    @property
    def score(self) -> float:
        return self.similarity + (WORD_MATCH_BONUS if self.word_match else 0.0)


MAX_QUERY_CHARS = 200


def _word_matches(candidates: QuerySet[Article], query: str) -> set[int]:
    if connection.vendor == "postgresql":
        vector = SearchVector("title", "body", config="simple")
        matched = SearchQuery(query, search_type="websearch", config="simple")
        return set(
            candidates.annotate(search=vector).filter(search=matched).values_list("pk", flat=True)
        )
    words = list(dict.fromkeys(word for word in re.findall(r"\w+", query) if len(word) > 2))
    words = words or [query]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    return set(candidates.filter(condition).values_list("pk", flat=True))


_PLACEHOLDER = re.compile(r"\[(?:name|email|link|number|phone|address)\]")
MIN_PASSAGE_WORDS = 4


def passages(title: str, body: str) -> list[str]:
    """What an article is embedded as: its title, the whole text and each paragraph.

    A query is compared with every passage and the best one counts, so one paragraph about
    the question is found even in a long article (a single averaged vector blurs it).
    """
    body = _PLACEHOLDER.sub("", body)
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", body)]
    return [title, f"{title}\n{body}"] + [
        part for part in paragraphs if len(part.split()) >= MIN_PASSAGE_WORDS
    ]


def _vectors_of(article: Article, dimensions: int) -> np.ndarray:
    stored = bytes(article.vector or b"")
    if stored and len(stored) % (dimensions * 4) == 0:
        return np.frombuffer(stored, dtype=np.float32).reshape(-1, dimensions)
    # Saved before vectors existed, or by another encoder: read it now.
    return embed_texts(passages(article.title, article.body))


def search(
    query: str, candidates: QuerySet[Article] | None = None, limit: int = SEARCH_LIMIT
) -> list[SearchHit]:
    """Articles matching `query` by meaning (the shared encoder) or by its words, best first."""
    # Bounded: each word becomes a condition, and databases refuse a query thousands deep.
    query = query.strip()[:MAX_QUERY_CHARS]
    candidates = candidates if candidates is not None else Article.objects.all()
    if not query:
        return []
    rows = list(candidates.select_related("owner"))
    if not rows:
        return []
    word_hits = _word_matches(candidates, query)
    dimensions = vector_dimensions()
    blocks = [_vectors_of(article, dimensions) for article in rows]
    owners = np.repeat(np.arange(len(rows)), [len(block) for block in blocks])
    best = np.full(len(rows), -1.0)
    for index, similarity in rank_by_similarity(query, np.vstack(blocks), limit=len(owners)):
        best[owners[index]] = max(best[owners[index]], similarity)
    hits = [
        SearchHit(article, float(best[index]), article.pk in word_hits)
        for index, article in enumerate(rows)
    ]
    floor = max(MIN_SIMILARITY, float(best.max()) - RELATIVE_CUTOFF)
    kept = [hit for hit in hits if hit.word_match or hit.similarity >= floor]
    return sorted(kept, key=lambda hit: -hit.score)[:limit]


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    title: SafeString
    snippet: SafeString


WORD_RESULTS = 10


def articles_with_words(person: User, query: str) -> list[ArticleHit]:
    """Articles holding every word of `query`, for the search over everything: the whole
    playbook (internal and public) for anyone who may use it, as its own page shows."""
    words = search_words(query)
    if not words or not can(person, Action.USE_PLAYBOOK):
        return []
    found = _word_matches(Article.objects.all(), " ".join(words))
    articles = Article.objects.filter(pk__in=found).order_by("-updated_at", "pk")[:WORD_RESULTS]
    return [
        ArticleHit(article, highlight(article.title, words), highlight(article.body, words))
        for article in articles
    ]


SUGGESTIONS = 3


def suggestions_for(conversation: Conversation) -> list[SearchHit]:
    """The articles closest in meaning to what the customer last wrote (and the subject)."""
    latest = (
        conversation.messages.filter(author_kind=Message.Author.CUSTOMER)
        .order_by("-created_at", "-pk")
        .first()
    )
    text = " ".join(
        part for part in (conversation.subject, latest.body_text if latest else "") if part
    )
    if not text.strip():
        return []
    hits = search(text[:2000], limit=SUGGESTIONS * 3)
    return [hit for hit in hits if hit.similarity >= MIN_SIMILARITY][:SUGGESTIONS]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed" or "same"
    text: str


def diff(older: ArticleVersion | None, newer: ArticleVersion | ArticleRevision) -> list[DiffLine]:
    """Line-by-line changes from `older` to `newer` (everything added for a first version)."""
    before = f"{older.title}\n\n{older.body}" if older else ""
    after = f"{newer.title}\n\n{newer.body}"
    lines: list[DiffLine] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        marker, text = line[:2], line[2:]
        if marker == "+ ":
            lines.append(DiffLine("added", text))
        elif marker == "- ":
            lines.append(DiffLine("removed", text))
        elif marker == "  ":
            lines.append(DiffLine("same", text))
    return lines


def previous_version(version: ArticleVersion) -> ArticleVersion | None:
    return (
        ArticleVersion.objects.filter(article_id=version.article_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str


def draft_from_conversation(conversation: Conversation) -> ArticleDraft:
    """A first draft from a real case, with the customer's and colleagues' personal data removed."""
    public = conversation.messages.filter(is_internal_note=False).select_related("author")
    customer_messages = [m for m in public if m.author_kind == Message.Author.CUSTOMER]
    replies = [m for m in public if m.author_kind == Message.Author.AGENT]
    customer = conversation.customer
    names = [customer.full_name, customer.company] + [
        reply.author.full_name for reply in replies if reply.author is not None
    ]

    def clean(text: str) -> str:
        return scrub_personal_data(text, names=[name for name in names if name]).strip()

    situation = clean(customer_messages[0].body_text) if customer_messages else ""
    answer = clean(replies[-1].body_text) if replies else ""
    title = clean(conversation.subject) or f"From conversation #{conversation.pk}"
    body = "\n\n".join(
        part
        for part in (
            "When a customer writes:",
            situation,
            "What helped:",
            answer,
            "Steps:\n- ",
        )
        if part
    )
    return ArticleDraft(title=title[:200], body=body)

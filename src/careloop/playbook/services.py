"""Writes to the playbook: articles and their versions, reviews, votes and reminders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.empathy.semantic import embed_texts
from careloop.people.models import User
from careloop.playbook.models import (
    Article,
    ArticleRevision,
    ArticleVersion,
    ArticleVote,
    Visibility,
)
from careloop.playbook.selectors import may_edit, needs_review, passages

DEFAULT_REVIEW_DAYS = 180
REMIND_EVERY_DAYS = 7


def article_vector(title: str, body: str) -> bytes:
    """The shared encoder's vectors of an article (see `selectors.passages`), as stored bytes."""
    return embed_texts(passages(title, body)).astype(np.float32).tobytes()


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "article"
    slug, counter = base, 2
    others = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while others.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _check_visibility(by: User, visibility: str) -> None:
    if visibility not in Visibility.values:
        raise ValidationError(f"Unknown visibility: {visibility!r}.")
    if visibility == Visibility.PUBLIC and not can(by, Action.MANAGE_PLAYBOOK):
        raise PermissionDenied("Only leads publish articles to the public help centre.")


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise ValidationError("An article needs a title.")
    if not body:
        raise ValidationError("An article needs some text.")
    return title[:200], body


@dataclass(frozen=True, kw_only=True)
class ArticleDraft:
    """What an author writes for an article: its text and the details around it.

    On an edit, an owner or review date left out keeps the article's current one.
    """

    title: str
    body: str
    category: str = ""
    visibility: str = Visibility.INTERNAL
    # the author, when an article is created without one
    owner: User | None = None
    review_by: datetime.date | None = None
    change_note: str = ""


@transaction.atomic
def create_article(
    draft: ArticleDraft, *, by: User, source_conversation: Conversation | None = None
) -> Article:
    """A new article (version 1), owned by its author unless someone else is named."""
    title, body = _clean(draft.title, draft.body)
    visibility = draft.visibility
    _check_visibility(by, visibility)
    now = timezone.now()
    article = Article.objects.create(
        title=title,
        slug=_unique_slug(title),
        category=draft.category.strip()[:80],
        body=body,
        visibility=visibility,
        owner=draft.owner or by,
        review_by=draft.review_by or calendar.today() + datetime.timedelta(DEFAULT_REVIEW_DAYS),
        source_conversation=source_conversation,
        vector=article_vector(title, body),
        created_at=now,
        updated_at=now,
    )
    ArticleVersion.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        visibility=visibility,
        edited_by=by,
        change_note=draft.change_note.strip()[:300]
        or ("Written from a real conversation" if source_conversation else "First version"),
        created_at=now,
    )
    record_audit(by, "playbook.article_created", article, summary=title)
    return article


def _new_version(
    article: Article,
    *,
    edited_by: User | None,
    title: str,
    body: str,
    visibility: str,
    change_note: str,
) -> ArticleVersion:
    """Make `title` and `body` the article's current text, as its next version (saved)."""
    if title != article.title:
        article.slug = _unique_slug(title, exclude_pk=article.pk)
    article.title, article.body, article.visibility = title, body, visibility
    article.vector = article_vector(title, body)
    article.version_number += 1
    article.updated_at = timezone.now()
    article.save()
    return ArticleVersion.objects.create(
        article=article,
        number=article.version_number,
        title=title,
        body=body,
        visibility=visibility,
        edited_by=edited_by,
        change_note=change_note.strip()[:300],
        created_at=article.updated_at,
    )


def _propose(
    article: Article, *, by: User, title: str, category: str, body: str, change_note: str
) -> ArticleRevision:
    """Keep a change to a published article aside until a lead approves it."""
    pending = (
        ArticleRevision.objects.select_for_update()
        .filter(article=article, approved_at__isnull=True)
        .first()
    ) or ArticleRevision(article=article)
    pending.title, pending.category, pending.body = title, category, body
    pending.change_note = change_note.strip()[:300]
    pending.proposed_by, pending.proposed_at = by, timezone.now()
    pending.save()
    record_audit(by, "playbook.change_proposed", article, summary=title)
    return pending


@transaction.atomic
def edit_article(
    article: Article, draft: ArticleDraft, *, by: User
) -> ArticleVersion | ArticleRevision | None:
    """Save an edit; a change of title, text or visibility becomes a new version (returned).

    A change to a published article's text by someone who is not a lead waits for review
    instead (the pending revision is returned); the help centre keeps the published text.
    """
    if not may_edit(by, article):
        raise PermissionDenied("The owner and leads edit this article.")
    title, body = _clean(draft.title, draft.body)
    category, visibility = draft.category.strip()[:80], draft.visibility
    owner = draft.owner or article.owner
    review_by = draft.review_by or article.review_by
    change_note = draft.change_note
    if visibility != article.visibility:
        _check_visibility(by, visibility)
    if owner.pk != article.owner_id and not owner.is_active:
        raise ValidationError("An article's owner is a current colleague.")
    if needs_review(by, article) and visibility == article.visibility:
        article.owner, article.review_by = owner, review_by
        article.save(update_fields=["owner", "review_by"])
        if (title, category, body) != (article.title, article.category, article.body):
            return _propose(
                article,
                by=by,
                title=title,
                category=category,
                body=body,
                change_note=change_note,
            )
        # Back to the published text: the change that waited is withdrawn.
        ArticleRevision.objects.filter(article=article, approved_at__isnull=True).delete()
        record_audit(by, "playbook.article_edited", article, summary="details changed")
        return None
    changed = (title, body, visibility) != (article.title, article.body, article.visibility)
    article.category, article.owner, article.review_by = category, owner, review_by
    version = None
    if changed:
        version = _new_version(
            article,
            edited_by=by,
            title=title,
            body=body,
            visibility=visibility,
            change_note=change_note,
        )
    else:
        article.save()
    record_audit(
        by,
        "playbook.article_edited",
        article,
        summary=f"version {article.version_number}" if changed else "details changed",
    )
    return version


@transaction.atomic
def approve_revision(revision: ArticleRevision, *, by: User) -> ArticleVersion:
    """A lead approves a waiting change: it becomes the article's next version, published."""
    if not can(by, Action.MANAGE_PLAYBOOK):
        raise PermissionDenied("Leads approve changes to published articles.")
    locked = ArticleRevision.objects.select_for_update().get(pk=revision.pk)
    if not locked.is_pending:
        raise ValidationError("This change was already approved.")
    article = Article.objects.select_for_update().get(pk=locked.article_id)
    article.category = locked.category
    note = locked.change_note or "Change to the published article"
    version = _new_version(
        article,
        edited_by=locked.proposed_by,
        title=locked.title,
        body=locked.body,
        visibility=article.visibility,
        change_note=f"{note} (approved by {by})",
    )
    locked.approved_by, locked.approved_at, locked.published_as = by, timezone.now(), version
    locked.save(update_fields=["approved_by", "approved_at", "published_as"])
    record_audit(by, "playbook.change_approved", article, summary=f"version {version.number}")
    return version


def restore_version(
    article: Article, version: ArticleVersion, *, by: User
) -> ArticleVersion | ArticleRevision:
    """Bring back an earlier text as a new version (or, on a published article edited by
    someone who is not a lead, as a change waiting for review); the history keeps everything."""
    if version.article_id != article.pk:
        raise ValidationError("That version belongs to another article.")
    restored = edit_article(
        article,
        ArticleDraft(
            title=version.title,
            body=version.body,
            category=article.category,
            visibility=version.visibility,
            owner=article.owner,
            review_by=article.review_by,
            change_note=f"Restored version {version.number}",
        ),
        by=by,
    )
    if restored is None:
        raise ValidationError("The article already reads like that version.")
    return restored


def mark_reviewed(
    article: Article, *, by: User, next_review_by: datetime.date | None = None
) -> Article:
    """The owner (or a lead) confirms the article is still right; it is due again later."""
    if not may_edit(by, article):
        raise PermissionDenied("The owner and leads review this article.")
    today = calendar.today()
    next_review_by = next_review_by or today + datetime.timedelta(DEFAULT_REVIEW_DAYS)
    if next_review_by <= today:
        raise ValidationError("The next review date is in the future.")
    article.review_by, article.last_reviewed_at = next_review_by, timezone.now()
    article.save(update_fields=["review_by", "last_reviewed_at"])
    record_audit(by, "playbook.article_reviewed", article, summary=f"next {next_review_by}")
    return article


def record_vote(
    article: Article, *, useful: bool, voter: User | None = None, visitor_key: str = ""
) -> ArticleVote:
    """One answer per colleague or visitor; answering again changes it."""
    if voter is None and not visitor_key:
        raise ValidationError("A vote comes from a colleague or a help-centre visitor.")
    if voter is None and not article.is_public:
        raise PermissionDenied("Visitors vote only on public articles.")
    lookup = {"voter": voter} if voter is not None else {"visitor_key": visitor_key[:64]}
    try:
        with transaction.atomic():
            vote, _ = ArticleVote.objects.update_or_create(
                article=article, **lookup, defaults={"useful": useful}
            )
    except IntegrityError:
        vote = ArticleVote.objects.get(article=article, **lookup)
    return vote


def claim_reminder(article: Article, today: datetime.date) -> bool:
    """Mark the owner reminded today unless they were this week; False if already done."""
    recent = today - datetime.timedelta(days=REMIND_EVERY_DAYS - 1)
    claimed = (
        Article.objects.filter(pk=article.pk)
        .exclude(last_reminded_on__gte=recent)
        .update(last_reminded_on=today)
    )
    return bool(claimed)


def release_reminder(article: Article, previous: datetime.date | None) -> None:
    Article.objects.filter(pk=article.pk).update(last_reminded_on=previous)

"""A published help-centre article changes only through review (trust issue, finding 17)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.playbook import services
from careloop.playbook.models import Article, ArticleRevision, ArticleVersion, Visibility
from tests.people.factories import UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db
PUBLISHED = "Returns are free for 30 days."
REWRITTEN = "Returns cost 20 euros, and only within 3 days."


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_form(article: Article, body: str, note: str = "Tighter policy") -> dict[str, object]:
    return {
        "title": article.title,
        "category": article.category,
        "body": body,
        "visibility": article.visibility,
        "owner": article.owner_id,
        "review_by": article.review_by.isoformat(),
        "change_note": note,
    }


def help_page() -> str:
    return Client().get(reverse("playbook:help-article", args=["returns"])).content.decode()


def test_an_agents_edit_of_their_published_article_waits_for_a_leads_approval() -> None:
    author = UserFactory(role=Role.AGENT)
    article = ArticleFactory(
        slug="returns", body=PUBLISHED, owner=author, visibility=Visibility.PUBLIC
    )
    saved = signed_in(author).post(
        reverse("playbook:article-edit", args=[article.pk]), edit_form(article, REWRITTEN)
    )
    assert saved.status_code == 302

    # The public page and the article itself keep the published version.
    assert PUBLISHED in help_page() and REWRITTEN not in help_page()
    article.refresh_from_db()
    assert (article.body, article.version_number) == (PUBLISHED, 1)
    pending = ArticleRevision.objects.get(article=article, approved_at__isnull=True)
    assert (pending.body, pending.proposed_by) == (REWRITTEN, author)

    # The author sees the waiting change but cannot approve it; nor can they force it through.
    own_view = signed_in(author).get(reverse("playbook:article", args=[article.pk]))
    assert "A change waits for review" in own_view.content.decode()
    assert 'data-testid="approve-revision"' not in own_view.content.decode()
    approve = reverse("playbook:revision-approve", args=[article.pk, pending.pk])
    assert signed_in(author).post(approve).status_code == 403
    with pytest.raises(PermissionDenied):
        services.approve_revision(pending, by=author)
    # Other agents read the published article only.
    colleague_view = signed_in(UserFactory(role=Role.AGENT)).get(
        reverse("playbook:article", args=[article.pk])
    )
    assert "A change waits for review" not in colleague_view.content.decode()
    # The author's edit form goes on from their draft.
    form = signed_in(author).get(reverse("playbook:article-edit", args=[article.pk]))
    assert REWRITTEN in form.content.decode()

    lead = UserFactory(role=Role.TEAM_LEAD)
    lead_view = signed_in(lead).get(reverse("playbook:article", args=[article.pk]))
    assert 'data-testid="approve-revision"' in lead_view.content.decode()
    assert signed_in(lead).post(approve).status_code == 302

    assert REWRITTEN in help_page()
    article.refresh_from_db()
    assert (article.body, article.version_number) == (REWRITTEN, 2)
    version = ArticleVersion.objects.get(article=article, number=2)
    assert version.edited_by == author
    assert "approved by" in version.change_note
    pending.refresh_from_db()
    assert (pending.approved_by, pending.published_as) == (lead, version)


def test_a_second_edit_updates_the_one_waiting_change_and_going_back_withdraws_it() -> None:
    author = UserFactory(role=Role.AGENT)
    article = ArticleFactory(body=PUBLISHED, owner=author, visibility=Visibility.PUBLIC)
    fields = {
        "title": article.title,
        "category": "",
        "visibility": Visibility.PUBLIC,
        "owner": author,
        "review_by": article.review_by,
    }
    first = services.edit_article(
        article, services.ArticleDraft(body="Draft one.", **fields), by=author
    )  # type: ignore[arg-type]
    second = services.edit_article(
        article, services.ArticleDraft(body="Draft two.", **fields), by=author
    )  # type: ignore[arg-type]
    assert isinstance(first, ArticleRevision) and isinstance(second, ArticleRevision)
    assert first.pk == second.pk
    assert ArticleRevision.objects.get().body == "Draft two."
    assert (
        services.edit_article(article, services.ArticleDraft(body=PUBLISHED, **fields), by=author)
        is None
    )  # type: ignore[arg-type]
    assert not ArticleRevision.objects.exists()


def test_restoring_an_old_version_of_a_published_article_also_waits_for_review() -> None:
    author = UserFactory(role=Role.AGENT)
    lead = UserFactory(role=Role.TEAM_LEAD)
    article = ArticleFactory(body="Old text.", owner=author, visibility=Visibility.PUBLIC)
    services.edit_article(
        article,
        services.ArticleDraft(
            title=article.title,
            body=PUBLISHED,
            category="",
            visibility=Visibility.PUBLIC,
            owner=author,
            review_by=article.review_by,
        ),
        by=lead,
    )
    assert article.body == PUBLISHED  # a lead's own edit is published at once
    restored = services.restore_version(article, article.versions.get(number=1), by=author)
    assert isinstance(restored, ArticleRevision)
    article.refresh_from_db()
    assert article.body == PUBLISHED

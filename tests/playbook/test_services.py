from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.conversations.models import Channel
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core.permissions import Role
from careloop.playbook import selectors, services, tasks
from careloop.playbook.models import Visibility
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_every_edit_of_the_text_is_a_new_version_with_a_readable_diff() -> None:
    owner = UserFactory()
    article = services.create_article(
        services.ArticleDraft(title="Refund delays", body="Banks take 3 days."), by=owner
    )
    version = services.edit_article(
        article,
        services.ArticleDraft(
            title="Refund delays",
            body="Banks take 3 to 5 working days.",
            category="Billing",
            visibility=Visibility.INTERNAL,
            owner=owner,
            review_by=article.review_by,
            change_note="Correct timing",
        ),
        by=owner,
    )
    assert version is not None and version.number == 2 == article.version_number
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]
    changes = selectors.diff(selectors.previous_version(version), version)
    assert ("removed", "Banks take 3 days.") in [(c.kind, c.text) for c in changes]
    assert ("added", "Banks take 3 to 5 working days.") in [(c.kind, c.text) for c in changes]


def test_changing_only_the_review_date_adds_no_version() -> None:
    owner = UserFactory()
    article = services.create_article(
        services.ArticleDraft(title="Sizes", body="Swap sizes for free."), by=owner
    )
    assert (
        services.edit_article(
            article,
            services.ArticleDraft(
                title="Sizes",
                body="Swap sizes for free.",
                category="",
                visibility=Visibility.INTERNAL,
                owner=owner,
                review_by=timezone.localdate() + datetime.timedelta(days=30),
            ),
            by=owner,
        )
        is None
    )
    assert article.versions.count() == 1


def test_only_owners_and_leads_edit_and_only_leads_publish_publicly() -> None:
    owner = UserFactory()
    with pytest.raises(PermissionDenied):
        services.create_article(
            services.ArticleDraft(
                title="Returns", body="Free returns.", visibility=Visibility.PUBLIC
            ),
            by=owner,
        )
    article = services.create_article(
        services.ArticleDraft(title="Returns", body="Free returns."), by=owner
    )
    fields = {
        "title": "Returns",
        "body": "Free returns, 60 days.",
        "category": "",
        "owner": owner,
        "review_by": article.review_by,
        "visibility": Visibility.PUBLIC,
    }
    with pytest.raises(PermissionDenied):
        services.edit_article(article, services.ArticleDraft(**fields), by=UserFactory())  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.edit_article(article, services.ArticleDraft(**fields), by=owner)  # type: ignore[arg-type]
    services.edit_article(
        article, services.ArticleDraft(**fields), by=UserFactory(role=Role.TEAM_LEAD)
    )  # type: ignore[arg-type]
    assert article.is_public


def test_search_finds_an_article_by_meaning_with_different_words() -> None:
    owner = UserFactory()
    services.create_article(
        services.ArticleDraft(
            title="Parcel arrived damaged",
            body="Send a replacement straight away; the customer keeps the broken item.",
        ),
        by=owner,
    )
    services.create_article(
        services.ArticleDraft(title="Invoice address", body="Change it in billing."), by=owner
    )
    hits = selectors.search("my package came broken")
    assert hits[0].article.title == "Parcel arrived damaged"
    assert not hits[0].word_match


def test_search_by_the_words_themselves_finds_the_article() -> None:
    services.create_article(
        services.ArticleDraft(title="Gift cards", body="Codes never expire."), by=UserFactory()
    )
    hits = selectors.search("expire")
    assert [hit.article.title for hit in hits] == ["Gift cards"]
    assert hits[0].word_match


def test_promoting_a_conversation_drafts_without_personal_data() -> None:
    agent = UserFactory(full_name="Sam Okafor")
    customer = CustomerFactory(full_name="Greta Lindholm")
    first = receive_customer_message(
        customer,
        channel=Channel.EMAIL,
        subject="Tent pole snapped",
        body_text="Hi, I'm Greta Lindholm, call me on +44 20 7946 0958. The pole snapped.",
    )
    reply(first.conversation, agent, "Hi Greta, so sorry! A new pole ships today. Sam")
    draft = selectors.draft_from_conversation(first.conversation)
    assert draft.title == "Tent pole snapped"
    for personal in ("Greta", "Lindholm", "7946", "Sam"):
        assert personal not in draft.body
    assert "A new pole ships today" in draft.body


def test_votes_are_one_per_colleague_and_visitors_vote_only_on_public_articles() -> None:
    article = ArticleFactory()
    voter = UserFactory()
    services.record_vote(article, useful=True, voter=voter)
    services.record_vote(article, useful=False, voter=voter)
    assert list(article.votes.values_list("useful", flat=True)) == [False]
    with pytest.raises(PermissionDenied):
        services.record_vote(article, useful=True, visitor_key="abc")


def test_owners_of_stale_articles_are_reminded_once_a_week() -> None:
    owner = UserFactory(email="owner@example.test")
    stale = ArticleFactory(owner=owner, review_by=timezone.localdate() - datetime.timedelta(1))
    ArticleFactory(owner=owner)
    assert list(selectors.stale_articles()) == [stale]
    assert tasks.send_review_reminders.call() == 1
    assert tasks.send_review_reminders.call() == 0
    assert [message.to for message in mail.outbox] == [["owner@example.test"]]
    assert stale.title in mail.outbox[0].subject


def test_marking_reviewed_moves_the_review_date_into_the_future() -> None:
    article = ArticleFactory(review_by=timezone.localdate() - datetime.timedelta(1))
    with pytest.raises(ValidationError):
        services.mark_reviewed(article, by=article.owner, next_review_by=timezone.localdate())
    services.mark_reviewed(article, by=article.owner)
    assert not article.is_stale() and article.last_reviewed_at is not None


def test_restoring_an_old_version_adds_a_new_one_and_keeps_the_history() -> None:
    owner = UserFactory()
    article = services.create_article(
        services.ArticleDraft(title="Sizes", body="Swap sizes for free."), by=owner
    )
    services.edit_article(
        article,
        services.ArticleDraft(
            title="Sizes",
            body="Swap sizes for €5.",
            category="",
            visibility=Visibility.INTERNAL,
            owner=owner,
            review_by=article.review_by,
        ),
        by=owner,
    )
    first = article.versions.get(number=1)
    restored = services.restore_version(article, first, by=owner)
    assert (restored.number, article.body) == (3, "Swap sizes for free.")
    assert restored.change_note == "Restored version 1"
    with pytest.raises(ValidationError):
        services.restore_version(article, first, by=owner)

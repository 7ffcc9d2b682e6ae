"""Playbook articles: the public help centre's for anyone, every article for colleagues."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.core.permissions import Role
from careloop.playbook.models import ArticleRevision, Visibility
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles() -> None:
    ArticleFactory(title="Returns", slug="returns", visibility=Visibility.PUBLIC)
    ArticleFactory(title="Refund limits", slug="refund-limits", visibility=Visibility.INTERNAL)


def test_the_help_centre_lists_public_articles_to_anyone_without_a_key(articles: None) -> None:
    response = APIClient().get(reverse("api:help-articles"))

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["returns"]
    assert set(response.json()["results"][0]) == {"slug", "title", "category", "body", "updated_at"}


def test_an_internal_article_is_not_found_in_the_help_centre(articles: None) -> None:
    client = APIClient()

    public = client.get(reverse("api:help-article", kwargs={"slug": "returns"}))
    internal = client.get(reverse("api:help-article", kwargs={"slug": "refund-limits"}))

    assert public.status_code == 200 and public.json()["title"] == "Returns"
    assert internal.status_code == 404
    assert "Refund limits" not in internal.content.decode()


def test_the_help_centre_shows_an_article_as_published_not_a_change_awaiting_review() -> None:
    article = ArticleFactory(
        slug="returns", body="Send it back in 30 days.", visibility=Visibility.PUBLIC
    )
    ArticleRevision.objects.create(
        article=article,
        title=article.title,
        body="Send it back in 90 days.",
        proposed_by=UserFactory(),
    )

    response = APIClient().get(reverse("api:help-article", kwargs={"slug": "returns"}))

    assert response.json()["body"] == "Send it back in 30 days."


def test_colleagues_read_every_article_with_a_key(articles: None, api_as: ClientMaker) -> None:
    client = api_as(Role.AGENT)

    listed = client.get(reverse("api:playbook-articles"))
    internal_only = client.get(reverse("api:playbook-articles"), {"visibility": "internal"})

    assert listed.status_code == 200
    assert {row["slug"] for row in listed.json()["results"]} == {"returns", "refund-limits"}
    assert [row["slug"] for row in internal_only.json()["results"]] == ["refund-limits"]
    article_id = internal_only.json()["results"][0]["id"]
    detail = client.get(reverse("api:playbook-article", kwargs={"article_id": article_id}))
    assert detail.json()["body"].startswith("Say sorry")


def test_the_internal_playbook_needs_a_key_with_its_scope(
    articles: None, api_as: ClientMaker
) -> None:
    assert APIClient().get(reverse("api:playbook-articles")).status_code == 401
    without_scope = api_as(Role.AGENT, scopes=[Scope.IDEAS_READ])
    assert without_scope.get(reverse("api:playbook-articles")).status_code == 403

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.playbook.models import Visibility
from tests.people.factories import UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_help_centre_lists_public_articles_only_and_needs_no_sign_in(client: Client) -> None:
    ArticleFactory(title="How returns work", slug="returns", visibility=Visibility.PUBLIC)
    internal = ArticleFactory(title="Goodwill limits for agents", slug="goodwill")
    page = client.get(reverse("playbook:help-centre")).content.decode()
    assert "How returns work" in page and "Goodwill limits" not in page
    assert client.get(reverse("playbook:help-article", args=[internal.slug])).status_code == 404
    search = client.get(reverse("playbook:help-centre"), {"q": "goodwill limits"})
    assert "Goodwill limits" not in search.content.decode()


def test_a_visitor_votes_once_on_a_public_article(client: Client) -> None:
    article = ArticleFactory(slug="returns", visibility=Visibility.PUBLIC)
    url = reverse("playbook:help-vote", args=["returns"])
    client.post(url, {"useful": "yes"})
    client.post(url, {"useful": "no"})
    assert list(article.votes.values_list("useful", flat=True)) == [False]


def test_article_text_is_escaped(client: Client) -> None:
    article = ArticleFactory(body="<script>alert(1)</script>")
    client.force_login(UserFactory())
    page = client.get(reverse("playbook:article", args=[article.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_the_conversation_page_offers_promotion_to_the_playbook(client: Client) -> None:
    from careloop.conversations.models import Channel
    from careloop.conversations.services.conversations import receive_customer_message
    from tests.conversations.factories import CustomerFactory

    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    client.force_login(UserFactory())
    page = client.get(reverse("conversations:conversation", args=[message.conversation_id]))
    assert reverse("playbook:promote", args=[message.conversation_id]) in page.content.decode()


def test_the_conversation_page_suggests_articles_close_to_what_the_customer_wrote(
    client: Client,
) -> None:
    from careloop.conversations.models import Channel
    from careloop.conversations.services.conversations import receive_customer_message
    from tests.conversations.factories import CustomerFactory

    ArticleFactory(title="Warranty repairs for tents", body="Five-year warranty on tents.")
    ArticleFactory(title="Gift card codes", body="Codes never expire and can be combined.")
    message = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Our shelter collapsed outdoors."
    )
    client.force_login(UserFactory())
    url = reverse("playbook:suggestions", args=[message.conversation_id])
    page = client.get(url).content.decode()
    assert "Warranty repairs for tents" in page and "Gift card codes" not in page

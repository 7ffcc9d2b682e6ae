"""The playbook in Chromium: a conversation becomes an entry, found again by its meaning."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core.permissions import Role
from careloop.playbook.models import Article
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_conversation_is_promoted_and_found_by_a_query_in_other_words(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, email="lead@example.test")
    agent = UserFactory(role=Role.AGENT, team=team, full_name="Sam Okafor")
    customer = CustomerFactory(full_name="Greta Lindholm")
    first = receive_customer_message(
        customer,
        channel=Channel.EMAIL,
        subject="Tent pole snapped on the first night",
        body_text="Hi, this is Greta Lindholm. The tent pole snapped on our first night out.",
    )
    reply(
        first.conversation,
        agent,
        "Hi Greta, I'm so sorry. A replacement pole ships today by express; keep the broken "
        "one, no need to return it. Sam",
    )
    ArticleFactory(title="Invoice address changes", body="Billing can change it any time.")
    ArticleFactory(title="Gift card codes", body="Codes never expire and can be combined.")

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(f"{live_server.url}/inbox/{first.conversation_id}/")
    page.get_by_test_id("promote-to-playbook").click()
    body = page.get_by_label("Text")
    expect(body).to_contain_text("A replacement pole ships today")
    assert "Greta" not in body.input_value() and "Sam" not in body.input_value()
    page.get_by_label("Category").fill("Damaged goods")
    body.fill(body.input_value() + "Send the replacement by express, before anything else.")
    page.get_by_role("button", name="Add to the playbook").click()
    expect(page.get_by_test_id("article-body")).to_contain_text("Send the replacement by express")
    article = Article.objects.get(source_conversation=first.conversation)

    page.get_by_role("link", name="All articles").click()
    page.get_by_role("searchbox", name="Search articles").fill("our shelter collapsed outdoors")
    page.get_by_role("button", name="Search").click()
    top = page.get_by_test_id("search-hit").first
    expect(top).to_contain_text(article.title)
    page.screenshot(path=str(artifacts_dir / "playbook-search.png"), full_page=True)
    top.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    # Back on the conversation, the new entry is offered as a related article.
    page.goto(f"{live_server.url}/inbox/{first.conversation_id}/")
    expect(page.get_by_test_id("playbook-suggestions")).to_contain_text(article.title)
    page.screenshot(path=str(artifacts_dir / "playbook-conversation.png"))

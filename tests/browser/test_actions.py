"""The ledger in Chromium: an action is agreed, its owner completes it, everyone sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from tests.browser.pickers import pick
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_item_is_created_completed_with_evidence_and_shown_in_you_said_we_did(
    page: Page, browser: Browser, live_server: LiveServer, artifacts_dir: Path
) -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, email="lead@example.test")
    owner = UserFactory(role=Role.AGENT, team=team, email="owner@example.test")

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/actions/")
    page.get_by_role("button", name="New action item").click()
    page.get_by_label("Title").fill("Add a stock check before promising delivery")
    pick(page, "Owner", owner.full_name)
    page.get_by_label("Type").select_option("prevent")
    page.get_by_role("button", name="Add to the ledger").click()
    expect(page.locator("#item-status")).to_have_text("Open")
    item = ActionItem.objects.get()
    assert (item.owner_id, item.created_by_id) == (owner.pk, lead.pk)

    owner_context = browser.new_context()
    owner_page = owner_context.new_page()
    try:
        sign_in(owner_page, live_server, owner.email, TEST_PASSWORD)
        expect(owner_page).to_have_url(dashboard_url(live_server))
        owner_page.goto(live_server.url + "/actions/")
        owner_page.get_by_role("link", name="Add a stock check before promising delivery").click()
        owner_page.get_by_label("Status").select_option("done")
        owner_page.get_by_role("button", name="Save").click()
        expect(owner_page.get_by_text("Describe the evidence")).to_be_visible()

        owner_page.get_by_label("Status").select_option("done")
        owner_page.get_by_label("Evidence of completion").fill(
            "The order screen now checks stock first"
        )
        owner_page.get_by_role("button", name="Save").click()
        expect(owner_page.locator("#item-status")).to_have_text("Done")

        owner_page.get_by_role("link", name="You said, we did").first.click()
        entry = owner_page.locator("article.feed-item")
        expect(entry).to_contain_text("Add a stock check before promising delivery")
        expect(entry).to_contain_text("The order screen now checks stock first")
        owner_page.screenshot(path=str(artifacts_dir / "you-said-we-did.png"), full_page=True)
    finally:
        owner_context.close()

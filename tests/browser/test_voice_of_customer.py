"""Voice of the customer in Chromium: a solved conversation's survey email (caught by a real
SMTP server), the customer's low score, the owner's recovery, and a confidential concern that
only the right role reads, with every read in the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel, Status
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.feedback.models import Concern, RecoveryTask, SurveyInvitation
from careloop.feedback.services import surveys
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.conversations.factories import CustomerFactory
from tests.fixtures.mail import SmtpServer
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"(http://\S+/survey/\S+/)")


def signed_in_page(browser: Browser, live_server: LiveServer, email: str) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, live_server, email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    return page


def test_a_low_score_from_the_survey_email_becomes_a_recovery_task_closed_by_its_owner(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    smtp_server: SmtpServer,
    artifacts_dir: Path,
) -> None:
    team = TeamFactory(name="Frontline Europe")
    agent = UserFactory(
        role=Role.AGENT, team=team, email="sam@example.test", full_name="Sam Okafor"
    )
    customer = CustomerFactory(full_name="Jonas Weber", email="jonas@example.test")
    with override_settings(MAILERS=smtp_server.mailer_settings, CARELOOP_BASE_URL=live_server.url):
        message = receive_customer_message(
            customer,
            channel=Channel.EMAIL,
            body_text="My tent poles are missing.",
            subject="Missing tent poles",
        )
        assign(message.conversation, agent, actor=agent)
        change_status(message.conversation, Status.SOLVED, actor=agent)  # commits: signal fires
        invitation = SurveyInvitation.objects.get()
        assert invitation.status == "scheduled"
        # The periodic task, a day later.
        assert surveys.send_due_surveys(timezone.now() + timedelta(hours=25)) == (1, 0)

        [received] = [m for m in smtp_server.relay.received if m.recipients == [customer.email]]
        email = message_from_bytes(received.content, policy=policy.default)
        assert email["Subject"] == "How did we do?"
        body = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        found = LINK.search(body)
        assert found is not None
        link = found.group(1)

        # The customer answers, signed in nowhere.
        page.goto(link)
        expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
        page.locator("input[name=csat][value='1']").check()
        page.locator("input[name=ces][value='2']").check()
        page.get_by_label("Anything you would like to tell us?").fill(
            "Nobody told me the poles were out of stock."
        )
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_test_id("survey-thanks")).to_be_visible()
        page.goto(link)
        expect(page.get_by_test_id("survey-problem")).to_contain_text("already been answered")

        task = RecoveryTask.objects.get()
        assert task.owner == agent
        # The owner was told by email too.
        assert any(m.recipients == [agent.email] for m in smtp_server.relay.received)

        owner = signed_in_page(browser, live_server, agent.email)
        owner.goto(live_server.url + "/feedback/recovery/")
        owner.get_by_role("link", name="Jonas Weber").click()
        expect(owner.get_by_test_id("survey-comment")).to_contain_text("out of stock")
        owner.get_by_label("Channel").select_option("phone")
        owner.get_by_label("What was said or tried").fill("Called Jonas, apologised, sent poles.")
        owner.get_by_role("button", name="Log contact").click()
        expect(owner.locator("#task-status")).to_have_text("Contacted")
        owner.get_by_label("Recovered", exact=True).check()
        owner.get_by_label("Causes").fill("Stock not shown, No proactive notice")
        owner.get_by_role("button", name="Close task").click()
        expect(owner.locator("#task-status")).to_have_text("Closed: Recovered")
        owner.screenshot(path=str(artifacts_dir / "recovery-task-closed.png"), full_page=True)
        owner.goto(live_server.url + "/feedback/causes/")
        expect(owner.get_by_test_id("cause-row")).to_have_count(2)
        owner.context.close()

    task.refresh_from_db()
    assert (task.outcome, task.closed_by) == ("recovered", agent)


def test_a_confidential_concern_is_read_only_by_the_concerns_role_and_each_read_is_audited(
    page: Page, browser: Browser, live_server: LiveServer, artifacts_dir: Path
) -> None:
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    lead = UserFactory(role=Role.TEAM_LEAD, email="lead@example.test")
    leader = UserFactory(role=Role.CX_LEADER, email="cx@example.test")
    admin = UserFactory(role=Role.ADMIN, email="admin@example.test")

    page.goto(live_server.url + "/concern/")
    page.get_by_label("About an employee").check()
    page.get_by_label("What happened?").fill("The agent laughed at my warranty question.")
    page.get_by_label("Anonymously", exact=False).check()
    page.get_by_role("button", name="Send my concern").click()
    reference = page.get_by_test_id("concern-reference").inner_text()
    code = page.get_by_test_id("concern-code").inner_text()
    concern = Concern.objects.get(reference=reference)
    assert concern.is_anonymous and concern.name == "" and concern.email == ""

    for person in (agent, lead):
        other = signed_in_page(browser, live_server, person.email)
        response = other.goto(live_server.url + f"/feedback/concerns/{concern.pk}/")
        assert response is not None and response.status == 403
        other.context.close()

    handler = signed_in_page(browser, live_server, leader.email)
    handler.goto(live_server.url + "/feedback/concerns/")
    handler.get_by_role("link", name=reference).click()
    expect(handler.get_by_test_id("concern-body")).to_contain_text("laughed at my warranty")
    handler.get_by_label("Your message").fill("I am sorry. I will look into this myself.")
    handler.get_by_role("button", name="Reply").click()
    expect(handler.get_by_test_id("concern-message")).to_contain_text("look into this myself")
    handler.context.close()

    # The customer follows up with the reference and code, still anonymous.
    page.goto(live_server.url + "/concern/follow-up/")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Follow-up code").fill(code)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_test_id("thread-message")).to_contain_text("look into this myself")

    reads = AuditEvent.objects.filter(action="concern.read", target_id=str(concern.pk))
    assert set(reads.values_list("actor_label", flat=True)) == {leader.email}
    auditor = signed_in_page(browser, live_server, admin.email)
    auditor.goto(live_server.url + "/audit/?q=concern.")
    expect(auditor.get_by_role("cell", name="concern.read").first).to_be_visible()
    expect(auditor.locator("tbody")).to_contain_text(leader.email)
    auditor.screenshot(path=str(artifacts_dir / "concern-audit-log.png"), full_page=True)
    auditor.context.close()

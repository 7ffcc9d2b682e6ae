"""Insights in Chromium on the demo organisation: figures from the roll-ups with their
definitions, charts, filters, the CSV export, and a culture → customer correlation."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.demo.organisation import DEMO_PASSWORD, create_demo_organisation
from careloop.insights import rollups, selectors
from careloop.insights.models import DailyRollup
from careloop.insights.sources import (
    CultureValue,
    register_culture_source,
    unregister_culture_source,
)
from careloop.insights.views import chart_script_available
from careloop.people.models import Team
from tests.browser.test_sign_in import dashboard_url, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_lead() -> str:
    logins = create_demo_organisation(conversations=150)
    assert logins.password == DEMO_PASSWORD
    return logins.lead_email


@pytest.fixture
def culture_source() -> Iterator[None]:
    """A culture measure that moves with next month's CSAT, as pulse will register one."""
    teams = list(Team.objects.order_by("pk"))
    this_month = rollups.local_today().replace(day=1)
    months = [this_month]
    for _ in range(4):
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    values = []
    for step, (month, outcome_month) in enumerate(itertools.pairwise(months)):
        for index, team in enumerate(teams):
            score = 0.3 + 0.1 * index + 0.02 * step
            values.append(CultureValue(team.pk, month, score, 6))
            DailyRollup.objects.filter(
                team=team, day=outcome_month + datetime.timedelta(days=27)
            ).delete()
            DailyRollup.objects.create(
                day=outcome_month + datetime.timedelta(days=27),
                team=team,
                channel="web",
                csat_total=20,
                csat_positive=8 + 2 * index + step,
                goodwill_amount=Decimal("0"),
            )
    register_culture_source("test-safety", "Psychological safety (test)", lambda a, b: values)
    yield
    unregister_culture_source("test-safety")


def test_a_lead_reads_the_dashboard_filters_it_and_exports_what_is_shown(
    page: Page, live_server: LiveServer, demo_lead: str, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, demo_lead, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.get_by_role("link", name="Insights").first.click()
    page.get_by_label("Period").select_option("90")
    page.get_by_role("button", name="Show").click()

    today = rollups.local_today()
    expected = selectors.dashboard(selectors.Scope(today - datetime.timedelta(days=89), today))
    for key in ("csat", "nps", "first_response_business_hours", "one_touch_rate"):
        value = expected.metrics[key]
        assert value is not None, key
        expect(page.get_by_test_id(f"value-{key}")).to_contain_text(str(value))
    csat = page.get_by_test_id("metric-csat")
    csat.get_by_text("Definition").click()
    expect(csat).to_contain_text("Answers rated 4 or 5")
    if chart_script_available():
        expect(page.locator("canvas[data-insights-chart][data-rendered=true]")).to_have_count(14)
    expect(
        page.get_by_test_id("insights-series-table").locator("tbody tr").first
    ).not_to_contain_text("No roll-ups")
    page.screenshot(path=artifacts_dir / "insights-dashboard.png", full_page=True)

    team = Team.objects.order_by("name").first()
    assert team is not None
    page.get_by_label("Team").select_option(str(team.pk))
    page.get_by_label("Channel").select_option("email")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text(team.name)
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-export").click()
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text())))
    metrics = rows[1 : rows.index([])]
    assert rows[0][0] == "metric"
    assert {row[5] for row in metrics} == {team.name}
    assert {row[6] for row in metrics} == {"email"}


def test_the_culture_page_shows_a_correlation_with_its_interval(
    page: Page, live_server: LiveServer, demo_lead: str, culture_source: None, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, demo_lead, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/insights/")
    page.get_by_role("link", name="Culture → customer analytics").click()
    page.get_by_label("Culture measure").select_option("test-safety")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("correlation-n")).to_have_text("16")
    expect(page.get_by_test_id("correlation-interval")).to_contain_text(" to ")
    expect(page.get_by_test_id("correlation-reading")).to_contain_text("not causation")
    if chart_script_available():
        expect(page.locator("canvas[data-insights-scatter][data-rendered=true]")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "insights-culture.png", full_page=True)


def test_a_lead_adds_a_touchpoint_to_the_demo_journey_and_sees_its_conversations(
    page: Page, live_server: LiveServer, demo_lead: str, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, demo_lead, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/insights/")
    page.get_by_role("link", name="Customer journey").click()
    delivery = page.get_by_test_id("journey-stage").filter(has_text="Delivery")
    expect(delivery.get_by_test_id("touchpoint-conversations")).not_to_have_text("0")
    delivery.get_by_role("link", name="Edit stage, add a touchpoint").click()
    page.get_by_label("Name").nth(1).fill("Delivery by chat")
    page.get_by_label("Tags").fill("delivery")
    page.get_by_label("Channel").select_option("chat")
    page.get_by_role("button", name="Add touchpoint").click()
    added = page.get_by_test_id("touchpoint").filter(has_text="Delivery by chat")
    expect(added).to_contain_text("Tags: delivery · chat")
    page.screenshot(path=artifacts_dir / "insights-journey.png", full_page=True)

"""Insights in Chromium on the demo organisation: figures from the roll-ups with their
definitions, charts, filters, the CSV export, and a culture → customer correlation."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.core import calendar
from careloop.demo.organisation import DEMO_PASSWORD, create_demo_organisation
from careloop.insights import selectors
from careloop.insights.views import chart_script_available
from careloop.people.models import Team
from tests.browser.test_sign_in import dashboard_url, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


# A year of demo history, smaller than the real demo's but with every team-month above the
# privacy minimums, so each chart has data and the analytics have team-months to correlate.
DEMO_YEAR_CONVERSATIONS = 1900


@pytest.fixture
def demo_lead() -> str:
    logins = create_demo_organisation(conversations=150)
    assert logins.password == DEMO_PASSWORD
    return logins.lead_email


@pytest.fixture
def demo_year_admin() -> str:
    # Culture figures of every team (and the analytics over all of them) are for those who
    # reach the whole organisation; a lead sees their own team's (tests/insights).
    return create_demo_organisation(conversations=DEMO_YEAR_CONVERSATIONS).admin_email


# A year of demo history is a minute of building on PostgreSQL. What the page adds to the
# figures (charts drawn, definitions shown) is the same whatever the database, and both legs
# check every figure against its definition (tests/insights/test_definitions.py) and the
# analytics (tests/insights/test_analytics.py): this runs on the SQLite leg only.
@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="a year of charts in Chromium: the SQLite leg"
)
def test_on_the_demo_year_every_chart_has_data_and_the_figures_match_the_definitions(
    page: Page, live_server: LiveServer, demo_year_admin: str, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, demo_year_admin, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.get_by_role("link", name="Insights").first.click()
    page.get_by_label("Period").select_option("365")
    page.get_by_role("button", name="Show").click()

    today = calendar.today()
    expected = selectors.dashboard(selectors.Scope(today - datetime.timedelta(days=364), today))
    for key, value in expected.metrics.items():
        assert value is not None, key
        expect(page.get_by_test_id(f"value-{key}")).to_contain_text(str(value))
    retention = expected.retention.rate
    assert retention is not None
    expect(page.get_by_test_id("value-retention")).to_contain_text(str(retention))
    csat = page.get_by_test_id("metric-csat")
    csat.get_by_text("Definition").click()
    expect(csat).to_contain_text("Answers rated 4 or 5")
    assert chart_script_available(), "run `npm ci`: the charts come from chart.js"
    series_charts = page.locator("canvas[data-insights-chart]")
    culture_charts = page.locator("canvas[data-culture-chart]")
    expect(culture_charts).to_have_count(4)  # empathy, psychological safety, eNPS, turnover
    expect(page.locator("canvas[data-insights-chart][data-rendered=true]")).to_have_count(
        series_charts.count()
    )
    expect(page.locator("canvas[data-culture-chart][data-rendered=true]")).to_have_count(4)
    # Care Escalations is too small to be shown on its own (by design of the demo); the
    # frontline teams show every measure.
    culture_rows = page.get_by_test_id("team-culture").locator("tbody tr")
    expect(culture_rows.filter(has_text="Frontline Europe")).not_to_contain_text("hidden")
    expect(culture_rows.filter(has_text="Care Escalations")).to_contain_text("hidden")
    page.screenshot(path=artifacts_dir / "insights-dashboard-year.png", full_page=True)

    page.get_by_role("link", name="Culture → customer analytics").click()
    expect(page.get_by_test_id("correlation-interval")).to_contain_text(" to ")
    assert int(page.get_by_test_id("correlation-n").inner_text()) >= 20
    expect(page.get_by_test_id("correlation-reading")).to_contain_text("not causation")
    expect(page.locator("canvas[data-insights-scatter][data-rendered=true]")).to_have_count(1)
    page.get_by_label("Culture measure").select_option("psych_safety")
    page.get_by_label("Customer outcome").select_option("nps")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("correlation")).to_contain_text("Psychological safety")
    expect(page.get_by_test_id("correlation-interval")).to_contain_text(" to ")
    # The demo's climate shapes both sides, so its data shows the relationship.
    assert float(page.get_by_test_id("correlation-r").inner_text()) > 0
    page.screenshot(path=artifacts_dir / "insights-culture-year.png", full_page=True)


def test_a_lead_filters_the_dashboard_and_exports_what_is_shown(
    page: Page, live_server: LiveServer, demo_lead: str
) -> None:
    sign_in(page, live_server, demo_lead, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/insights/")
    team = Team.objects.order_by("name").first()
    assert team is not None
    page.locator("select[name=team]").select_option(str(team.pk))
    page.get_by_label("Channel").select_option("email")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text(team.name)
    # A custom period's retention arrives after the page, counted in its own request.
    today = calendar.today()
    page.locator("input[name=start]").fill(str(today - datetime.timedelta(days=40)))
    page.locator("input[name=end]").fill(str(today))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("metric-retention")).to_contain_text("active at the start")
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-export").click()
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text())))
    metrics = rows[1 : rows.index([])]
    assert rows[0][0] == "metric"
    assert {row[5] for row in metrics} == {team.name}
    assert {row[6] for row in metrics} == {"email"}


def test_a_lead_adds_a_touchpoint_to_the_demo_journey_and_sees_its_conversations(
    page: Page, live_server: LiveServer, demo_lead: str, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, demo_lead, DEMO_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/insights/")
    page.get_by_role("link", name="Customer journey").click()
    # By its heading: has_text would also match a stage whose example conversations mention
    # a delivery, which the demo's random subjects sometimes do.
    delivery = page.get_by_test_id("journey-stage").filter(
        has=page.get_by_role("heading", name="Delivery", exact=True)
    )
    expect(delivery.get_by_test_id("touchpoint-conversations")).not_to_have_text("0")
    delivery.get_by_role("link", name="Edit stage, add a touchpoint").click()
    page.get_by_label("Name").nth(1).fill("Delivery by chat")
    page.get_by_label("Tags").fill("delivery")
    page.get_by_label("Channel").select_option("chat")
    page.get_by_role("button", name="Add touchpoint").click()
    added = page.get_by_test_id("touchpoint").filter(has_text="Delivery by chat")
    expect(added).to_contain_text("Tags: delivery · chat")
    page.screenshot(path=artifacts_dir / "insights-journey.png", full_page=True)

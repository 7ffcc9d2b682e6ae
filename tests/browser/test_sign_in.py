from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN_PATH = "/accounts/login/"


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, full_name="Ada Lovelace", email="ada@example.test")


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def sign_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    page.goto(live_server.url + LOGIN_PATH)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_test_id("login-submit").click()


def dashboard_url(live_server: LiveServer) -> str:
    return live_server.url + "/"


def login_page_pattern(live_server: LiveServer) -> re.Pattern[str]:
    return re.compile(re.escape(live_server.url + LOGIN_PATH) + r"(\?.*)?$")


def tab_until_focused(page: Page, selector: str, max_presses: int = 10) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{max_presses} presses of Tab did not reach {selector}")


def test_agent_signs_in_sees_their_dashboard_and_signs_out(
    page: Page, live_server: LiveServer, agent: User, artifacts_dir: Path
) -> None:
    sign_in(page, live_server, agent.email, TEST_PASSWORD)

    page.wait_for_url(dashboard_url(live_server))
    expect(page.get_by_role("banner")).to_contain_text("Ada Lovelace")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Ada")
    main_navigation = page.get_by_role("navigation", name="Main")
    expect(main_navigation.get_by_role("link", name="Care inbox")).to_be_visible()
    expect(main_navigation.get_by_role("link", name="Dashboard")).to_have_attribute(
        "aria-current", "page"
    )
    expect(main_navigation.get_by_role("link", name="Organisation")).to_have_count(0)

    screenshot = artifacts_dir / "dashboard.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0

    page.get_by_test_id("logout").click()
    page.wait_for_url(login_page_pattern(live_server))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.goto(dashboard_url(live_server))
    page.wait_for_url(login_page_pattern(live_server))
    expect(page.get_by_test_id("logout")).to_have_count(0)


def test_wrong_password_shows_an_error_and_stays_signed_out(
    page: Page, live_server: LiveServer, agent: User
) -> None:
    sign_in(page, live_server, agent.email, "not the password")

    expect(page.get_by_text("password you specified are not correct")).to_be_visible()
    assert login_page_pattern(live_server).match(page.url)
    expect(page.get_by_test_id("logout")).to_have_count(0)

    page.goto(dashboard_url(live_server))
    page.wait_for_url(login_page_pattern(live_server))


def test_person_signs_in_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, agent: User
) -> None:
    page.goto(live_server.url + LOGIN_PATH)

    tab_until_focused(page, "input[name=login]")
    page.keyboard.type(agent.email)
    tab_until_focused(page, "input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    tab_until_focused(page, "[data-testid=login-submit]")
    expect(page.get_by_test_id("login-submit")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(dashboard_url(live_server))
    expect(page.get_by_role("banner")).to_contain_text("Ada Lovelace")


def test_menu_is_folded_on_a_narrow_screen_and_opens_on_request(
    phone_page: Page, live_server: LiveServer, agent: User
) -> None:
    sign_in(phone_page, live_server, agent.email, TEST_PASSWORD)
    phone_page.wait_for_url(dashboard_url(live_server))

    menu = phone_page.locator("details.nav-disclosure")
    inbox_link = phone_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Care inbox"
    )
    expect(menu).not_to_have_attribute("open", "")
    expect(inbox_link).to_be_hidden()

    menu.get_by_text("Menu").click()

    expect(menu).to_have_attribute("open", "")
    expect(inbox_link).to_be_visible()

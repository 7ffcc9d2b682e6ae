"""Public forms, the API and sign-in stop answering a flood from one client with 429."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # django-ratelimit counts in windows aligned to the clock: one that ended between a test's
    # requests would reset the count. The cache is emptied before each test.
    monkeypatch.setattr("django_ratelimit.core._get_window", lambda value, period: 0)


@override_settings(CARELOOP_PUBLIC_FORM_RATE="3/m")
def test_the_chat_widget_refuses_a_fourth_new_chat_within_a_minute(client: Client) -> None:
    url = reverse("conversations:chat-session")
    answers = [
        client.post(url, "{}", content_type="application/json").status_code for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    refused = client.post(url, "{}", content_type="application/json")
    assert refused["Retry-After"] == "60"
    assert refused.json()["detail"].startswith("Too many requests")


@override_settings(CARELOOP_PUBLIC_FORM_RATE="3/m")
def test_another_address_is_not_held_back(client: Client) -> None:
    url = reverse("conversations:chat-session")
    for _ in range(3):
        client.post(url, "{}", content_type="application/json")
    other = client.post(url, "{}", content_type="application/json", REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


def test_an_api_key_is_throttled_per_key(api_as: ClientMaker) -> None:
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "2/min"}}
    first, second = api_as(Role.AGENT), api_as(Role.AGENT)
    url = reverse("api:conversations")
    with override_settings(REST_FRAMEWORK=rates):
        answers = [first.get(url).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        assert second.get(url).status_code == 200


def test_repeated_wrong_passwords_for_an_account_are_refused(client: Client) -> None:
    person = UserFactory(email="ines@example.test")
    person.set_password("right-horse-battery")
    person.save()
    url = reverse("account_login")
    for _ in range(5):
        wrong = client.post(url, {"login": "ines@example.test", "password": "wrong"})
        assert wrong.status_code == 200
    blocked = client.post(url, {"login": "ines@example.test", "password": "right-horse-battery"})
    # allauth refuses even the right password for a while, and says why.
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in blocked.content


@override_settings(CARELOOP_PUBLIC_FORM_RATE="2/m")
def test_the_public_concern_form_is_limited_per_address(client: Client) -> None:
    url = reverse("feedback:concern-new")
    answers = [client.post(url, {}).status_code for _ in range(3)]
    assert answers[:2] != [429, 429] and answers[2] == 429

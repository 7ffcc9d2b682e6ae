from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.settings.environment import oidc_providers
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "account_login"


def sign_in(client: Client, email: str, password: str) -> int:
    response = client.post(reverse(LOGIN), {"login": email, "password": password})
    return response.status_code


def test_employee_signs_in_with_email_and_password(client: Client) -> None:
    person = UserFactory(email="agent@example.test")
    response = client.post(
        reverse(LOGIN), {"login": "AGENT@example.test", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert client.get(reverse("core:dashboard")).context["user"] == person


def test_wrong_password_keeps_the_door_closed(client: Client) -> None:
    UserFactory(email="agent@example.test")
    assert sign_in(client, "agent@example.test", "not the password") == 200
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_a_customer_record_cannot_sign_in_even_with_its_password(client: Client) -> None:
    UserFactory(email="customer@example.test", role=Role.CUSTOMER)
    sign_in(client, "customer@example.test", TEST_PASSWORD)
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_people_who_left_cannot_sign_in(client: Client) -> None:
    UserFactory(email="left@example.test", is_active=False)
    sign_in(client, "left@example.test", TEST_PASSWORD)
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_sign_up_is_closed(client: Client) -> None:
    response = client.post(
        reverse("account_signup"), {"email": "new@example.test", "password1": "a-long-passphrase!"}
    )
    assert "Sign Up Closed" in response.content.decode()
    from careloop.people.models import User

    assert not User.objects.filter(email="new@example.test").exists()


def test_sign_out_needs_a_post(client: Client) -> None:
    client.force_login(UserFactory())
    client.get(reverse("account_logout"))
    assert client.get(reverse("core:dashboard")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_password_reset_by_email_lets_a_person_choose_a_new_password(client: Client) -> None:
    UserFactory(email="forgetful@example.test")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new_password = "a brand new passphrase 42"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, "forgetful@example.test", new_password) == 302


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2() -> None:
    person = UserFactory()
    person.set_password("stored with argon2")
    assert person.password.startswith("argon2$")
    assert make_password("x").startswith("argon2$")


def test_single_sign_on_is_configured_only_when_complete() -> None:
    assert oidc_providers({"CARELOOP_OIDC_SERVER_URL": "https://id.example.test"}) == {}
    providers = oidc_providers(
        {
            "CARELOOP_OIDC_SERVER_URL": "https://id.example.test",
            "CARELOOP_OIDC_CLIENT_ID": "careloop",
            "CARELOOP_OIDC_CLIENT_SECRET": "s3cret",
        }
    )
    app = providers["openid_connect"]["APPS"][0]  # type: ignore[index]
    assert app["settings"] == {"server_url": "https://id.example.test"}
    assert app["client_id"] == "careloop"


def test_pages_carry_a_content_security_policy_and_safe_cookies(client: Client) -> None:
    response = client.get(reverse(LOGIN))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies["csrftoken"]["httponly"]
    person = UserFactory(email="cookie@example.test")
    login = client.post(reverse(LOGIN), {"login": person.email, "password": TEST_PASSWORD})
    assert login.cookies["sessionid"]["httponly"]
    assert login.cookies["sessionid"]["samesite"] == "Lax"


def test_scripts_and_styles_on_pages_come_only_from_our_origin(client: Client) -> None:
    client.force_login(UserFactory(role=Role.ADMIN))
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "<script>" not in body
    assert 'style="' not in body
    assert "/static/vendor/htmx/htmx.min.js" in body

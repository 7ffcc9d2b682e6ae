"""Settings → API keys: admins issue, rotate and revoke keys; secrets are shown once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.services import secret_sha256
from careloop.core.audit import audit_events_for
from careloop.core.permissions import STAFF_ROLES, Role
from tests.fixtures.api import KeyMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Role], Client]


def works(secret: str) -> bool:
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client.get(reverse("api:conversations")).status_code == 200


def test_an_admin_issues_a_key_and_sees_its_secret_once(client_as: ClientAs) -> None:
    admin_client = client_as(Role.ADMIN)
    owner = UserFactory(role=Role.AGENT)
    response = admin_client.post(
        reverse("api_keys:list"),
        {
            "name": "Shop backend",
            "owner": owner.pk,
            "scopes": ["conversations:read", "conversations:write"],
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    key = ApiKey.objects.get()
    assert (key.name, key.owner, key.scopes) == (
        "Shop backend",
        owner,
        ["conversations:read", "conversations:write"],
    )
    assert secret in response.content.decode()
    assert key.secret_sha256 == secret_sha256(secret)
    assert works(secret)
    page = admin_client.get(reverse("api_keys:list")).content.decode()
    assert key.prefix in page and owner.email in page and "conversations:write" in page
    assert secret not in page
    assert [event.action for event in audit_events_for(key)][-1] == "api_key.created"


def test_a_key_needs_a_name_an_active_employee_and_a_scope(client_as: ClientAs) -> None:
    customer = UserFactory(role=Role.CUSTOMER)
    response = client_as(Role.ADMIN).post(
        reverse("api_keys:list"), {"name": "", "owner": customer.pk}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "owner", "scopes"}
    assert not ApiKey.objects.exists()


def test_rotating_shows_a_new_secret_once_and_the_old_one_stops_working(
    client_as: ClientAs, make_key: KeyMaker
) -> None:
    key, old_secret = make_key(Role.AGENT)
    response = client_as(Role.ADMIN).post(
        reverse("api_keys:rotate"), {"key": key.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "api/_keys.html"
    new_secret = response.context["secret"]
    assert new_secret in response.content.decode()
    assert not works(old_secret)
    assert works(new_secret)
    assert "api_key.rotated" in [event.action for event in audit_events_for(key)]


def test_revoking_stops_the_key(client_as: ClientAs, make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    admin_client = client_as(Role.ADMIN)
    assert admin_client.post(reverse("api_keys:revoke"), {"key": key.pk}).status_code == 200
    key.refresh_from_db()
    assert key.is_revoked
    assert not works(secret)
    # A revoked key can be neither revoked again nor rotated back to life.
    assert admin_client.post(reverse("api_keys:rotate"), {"key": key.pk}).status_code == 404


@pytest.mark.parametrize("key_id", ["", "²", "1" * 5000, "abc"])
def test_a_malformed_key_id_is_a_404(client_as: ClientAs, key_id: str) -> None:
    response = client_as(Role.ADMIN).post(reverse("api_keys:revoke"), {"key": key_id})
    assert response.status_code == 404


@pytest.mark.parametrize("role", sorted(STAFF_ROLES - {Role.ADMIN}))
def test_only_admins_manage_keys(role: Role, client_as: ClientAs, make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    other_client = client_as(role)
    assert other_client.get(reverse("api_keys:list")).status_code == 403
    owner = UserFactory()
    create = {"name": "Mine", "owner": owner.pk, "scopes": ["conversations:read"]}
    assert other_client.post(reverse("api_keys:list"), create).status_code == 403
    assert other_client.post(reverse("api_keys:rotate"), {"key": key.pk}).status_code == 403
    assert other_client.post(reverse("api_keys:revoke"), {"key": key.pk}).status_code == 403
    assert ApiKey.objects.count() == 1
    assert works(secret)


def test_admins_find_the_keys_page_in_the_navigation(client_as: ClientAs) -> None:
    page = client_as(Role.ADMIN).get(reverse("core:dashboard")).content.decode()
    assert reverse("api_keys:list") in page


def test_revoking_is_in_the_audit_log_under_the_admin(
    client_as: ClientAs, make_key: KeyMaker
) -> None:
    key, _ = make_key(Role.AGENT)
    admin_client = client_as(Role.ADMIN)
    admin_client.post(reverse("api_keys:revoke"), {"key": key.pk})
    [revoked] = audit_events_for(key).filter(action="api_key.revoked")
    assert revoked.actor is not None and revoked.actor.role == Role.ADMIN
    assert key.prefix in revoked.summary


def test_the_keys_page_shows_when_each_key_was_last_used(
    client_as: ClientAs, make_key: KeyMaker
) -> None:
    key, secret = make_key(Role.AGENT)
    admin_client = client_as(Role.ADMIN)
    before = admin_client.get(reverse("api_keys:list")).content.decode()
    assert "Never" in before
    assert works(secret)
    key.refresh_from_db()
    assert key.last_used_at is not None
    after = admin_client.get(reverse("api_keys:list")).content.decode()
    assert "Never" not in after
    assert f"{key.last_used_at:%-d %b %Y %H:%M}" in after


def test_the_form_offers_read_and_write_for_each_domain_and_issues_them(
    client_as: ClientAs,
) -> None:
    admin_client = client_as(Role.ADMIN)
    page = admin_client.get(reverse("api_keys:list")).content.decode()
    for domain in ("conversations", "customers", "saved_replies", "feedback", "goodwill"):
        assert f'value="{domain}:read"' in page and f'value="{domain}:write"' in page, domain
    owner = UserFactory(role=Role.TEAM_LEAD)
    scopes = ["saved_replies:read", "saved_replies:write", "goodwill:read"]
    admin_client.post(
        reverse("api_keys:list"), {"name": "Macros", "owner": owner.pk, "scopes": scopes}
    )
    assert ApiKey.objects.get(name="Macros").scopes == scopes

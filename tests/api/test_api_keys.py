from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.scopes import Scope
from careloop.api.services import create_api_key, revoke_api_key, secret_sha256
from careloop.core.permissions import Role
from tests.fixtures.api import KeyMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def get_conversations(authorization: str | None) -> int:
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(reverse("api:conversations")).status_code


def test_a_request_without_a_key_is_unauthorised_and_told_how_to_authenticate() -> None:
    response = APIClient().get(reverse("api:conversations"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer cl_000000000000_not-a-real-key", "Bearer ", "Bearer two words"],
)
def test_an_unknown_or_malformed_key_is_unauthorised(authorization: str) -> None:
    assert get_conversations(authorization) == 401


def test_a_revoked_key_is_unauthorised(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    assert get_conversations(f"Bearer {secret}") == 200
    revoke_api_key(key)
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}").get(reverse("api:conversations"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_only_the_hash_of_the_secret_is_stored(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    key.refresh_from_db()
    assert secret.startswith(key.prefix)
    assert key.secret_sha256 == secret_sha256(secret)
    stored = [str(value) for value in ApiKey.objects.values_list().get(pk=key.pk)]
    assert not any(secret in value for value in stored)


def test_using_a_key_records_when_it_was_last_used(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    assert key.last_used_at is None
    get_conversations(f"Bearer {secret}")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_key_cannot_act_as_a_customer_or_a_former_employee() -> None:
    for person in (UserFactory(role=Role.CUSTOMER), UserFactory(is_active=False)):
        with pytest.raises(ValueError, match="active employee"):
            create_api_key(name="Shop", owner=person, scopes=list(Scope), created_by=None)
    assert not ApiKey.objects.exists()


def test_a_key_stops_working_when_its_owner_leaves(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT)
    assert get_conversations(f"Bearer {secret}") == 200
    assert key.owner is not None
    key.owner.is_active = False
    key.owner.save()
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}").get(reverse("api:conversations"))
    assert response.status_code == 401
    assert "no longer an active employee" in response.json()["detail"]


def test_the_command_prints_a_working_secret_once_and_stores_only_its_hash() -> None:
    creator = UserFactory(role=Role.ADMIN, email="lead@example.test")
    owner = UserFactory(role=Role.AGENT, email="shop@example.test")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_key",
        "--name=Shop backend",
        "--owner=Shop@example.test",
        "--scope=conversations:read",
        "--scope=conversations:write",
        "--email=Lead@example.test",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert (key.name, key.owner, key.created_by) == ("Shop backend", owner, creator)
    assert key.scopes == ["conversations:read", "conversations:write"]
    assert key.secret_sha256 == secret_sha256(secret)
    assert "not shown again" in err.getvalue()
    assert get_conversations(f"Bearer {secret}") == 200


def test_the_command_refuses_an_owner_who_is_not_an_active_employee() -> None:
    UserFactory(email="gone@example.test", is_active=False)
    with pytest.raises(CommandError, match="No active employee"):
        call_command(
            "create_api_key",
            "--name=Shop",
            "--owner=gone@example.test",
            "--scope=conversations:read",
        )
    assert not ApiKey.objects.exists()


def test_the_command_only_offers_known_scopes() -> None:
    UserFactory(email="lead@example.test")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "create_api_key", "--name=Shop", "--owner=lead@example.test", "--scope=everything"
        )


def test_admins_see_keys_without_their_secrets_and_can_revoke_them(
    make_key: KeyMaker, client_as: Callable[[Role], Client]
) -> None:
    key, secret = make_key(Role.AGENT)
    admin_client = client_as(Role.ADMIN)
    url = reverse("admin:api_apikey_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert key.prefix in page.content.decode()
    assert secret not in page.content.decode()
    admin_client.post(url, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.is_revoked

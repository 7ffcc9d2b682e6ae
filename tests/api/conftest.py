from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.scopes import Scope
from careloop.api.services import create_api_key
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.people.selectors import current_organisation
from careloop.people.services import OpeningHours, update_organisation
from tests.people.factories import UserFactory

KeyMaker = Callable[..., tuple[ApiKey, str]]
ClientMaker = Callable[..., APIClient]


@pytest.fixture
def office_hours(db: None) -> None:
    update_organisation(
        current_organisation(),
        name="Test",
        time_zone="UTC",
        values=[],
        opening_hours=[OpeningHours(day, time(9), time(17)) for day in range(5)],
    )


@pytest.fixture
def make_key(db: None) -> KeyMaker:
    """A new API key owned by a new employee with `role` (or by `owner`), and its secret.

    It holds every scope unless `scopes` says otherwise; an admin issues it.
    """

    def make(
        role: Role = Role.AGENT,
        *,
        owner: User | None = None,
        scopes: Iterable[Scope] = tuple(Scope),
    ) -> tuple[ApiKey, str]:
        owner = owner or UserFactory(role=role)
        return create_api_key(
            name=f"{owner.role} integration",
            owner=owner,
            scopes=scopes,
            created_by=UserFactory(role=Role.ADMIN),
        )

    return make


@pytest.fixture
def api_as(make_key: KeyMaker, office_hours: None) -> ClientMaker:
    """An API client sending a new key owned by someone with the given role (or by `owner`)."""

    def client_for(role: Role = Role.AGENT, **options: Any) -> APIClient:
        _, secret = make_key(role, **options)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return client_for

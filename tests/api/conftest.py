from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pytest
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.services import create_api_key
from careloop.core.permissions import Role
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
    """A new API key acting as `role`, issued by an agent, and its secret."""

    def make(role: Role = Role.AGENT) -> tuple[ApiKey, str]:
        return create_api_key(
            name=f"{role.value} integration", role=role, created_by=UserFactory(role=Role.AGENT)
        )

    return make


@pytest.fixture
def api_as(make_key: KeyMaker, office_hours: None) -> ClientMaker:
    """An API client sending a new key with the given role."""

    def client_for(role: Role = Role.AGENT) -> APIClient:
        _, secret = make_key(role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return client_for

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import UserFactory

# Fixtures more than one app's tests use live in plugins, not in another app's conftest.
pytest_plugins = ["tests.fixtures.api", "tests.fixtures.mail", "tests.fixtures.scheduling"]

# scripts/test runs the tests on xdist workers (tests/fixtures/scheduling.py says how they are
# shared out). Each worker has its own test database and its own Redis database
# (tests/fixtures/broker.py).


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: rate-limit counters (sign-in allows 30 a minute
    per address) and cached figures from one test must not decide another's outcome."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person_with_role(db: None) -> Callable[[Role], User]:
    def make(role: Role) -> User:
        return UserFactory(role=role)

    return make


@pytest.fixture
def client_as(client: Client, person_with_role: Callable[[Role], User]) -> Callable[[Role], Client]:
    """A test client signed in as a new person with the given role."""

    def sign_in(role: Role) -> Client:
        client.force_login(person_with_role(role))
        return client

    return sign_in

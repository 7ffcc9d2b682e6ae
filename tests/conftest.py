from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import UserFactory

# Fixtures more than one app's tests use live in plugins, not in another app's conftest.
pytest_plugins = ["tests.fixtures.api", "tests.fixtures.mail"]

# Fixtures that empty and consume the Redis broker's queue, which every xdist worker shares.
SHARED_BROKER_FIXTURES = {"broker_url", "celery_broker_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # With `--dist loadgroup` (scripts/test), the tests of one xdist group run on one worker,
    # one after another; the others are shared out one by one.
    for item in items:
        if SHARED_BROKER_FIXTURES & set(getattr(item, "fixturenames", ())):
            # A test must not purge or drain the queue another worker's test is using.
            item.add_marker(pytest.mark.xdist_group("redis-broker"))
        elif _uses_rows_built_once(item):
            # Built once for a module or class (a demo organisation, a crawl): on one worker,
            # so built once in the run, not once on each worker.
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _uses_rows_built_once(item: pytest.Item) -> bool:
    """Whether the test uses one of this suite's unparametrised module- or class-scoped
    fixtures (a parametrised one is built again for each parameter anyway)."""
    fixture_info = getattr(item, "_fixtureinfo", None)
    if fixture_info is None:
        return False
    return any(
        definition.scope in ("module", "class")
        and definition.params is None
        and definition.func.__module__.startswith("tests.")
        for definition in (found[-1] for found in fixture_info.name2fixturedefs.values())
    )


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

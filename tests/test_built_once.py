"""Rows built once for a scope (tests/fixtures/database.py) are shared, never leaked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from careloop.people.models import Team
from tests.fixtures.database import built_once
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db

NAME = "Built once"


@pytest.fixture(scope="class")
def team_pk(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[int]:
    yield from built_once(django_db_blocker, lambda: TeamFactory(name=NAME).pk)


class TestRowsBuiltOnceForAClass:
    def test_a_test_sees_the_rows_and_its_changes_stay_with_it(self, team_pk: int) -> None:
        Team.objects.filter(pk=team_pk).update(name="Changed by one test")
        TeamFactory(name="Made by one test")
        assert Team.objects.get(pk=team_pk).name == "Changed by one test"

    def test_the_next_test_sees_the_rows_as_built(self, team_pk: int) -> None:
        assert Team.objects.get(pk=team_pk).name == NAME
        assert not Team.objects.filter(name="Made by one test").exists()


def test_the_rows_are_gone_after_their_scope() -> None:
    assert not Team.objects.filter(name=NAME).exists()

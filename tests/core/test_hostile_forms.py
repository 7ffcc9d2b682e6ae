"""What the hostile-input crawl found: each page now answers tampered input without a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db
MANY_WORDS = "long " * 4000


@pytest.mark.parametrize("target", ["https://evil.example/", "/inbox/\r\nSet-Cookie: x=1", "²"])
def test_a_refused_bulk_action_goes_back_to_the_inbox_whatever_next_says(
    target: str, client_as: Callable[[Role], Client]
) -> None:
    response = client_as(Role.AGENT).post(
        reverse("conversations:bulk"), {"action": "²", "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


def test_a_tampered_opening_hours_form_count_shows_the_week_again(
    client_as: Callable[[Role], Client],
) -> None:
    response = client_as(Role.ADMIN).post(
        reverse("people:organisation"), {"name": "Shop", "hours-TOTAL_FORMS": "²"}
    )

    assert response.status_code == 200
    assert len(response.context["hours_rows"]) == 7


@pytest.mark.parametrize("url_name", ["conversations:inbox", "playbook:index"])
def test_a_search_of_thousands_of_words_answers(
    url_name: str, client_as: Callable[[Role], Client]
) -> None:
    ArticleFactory()

    response = client_as(Role.AGENT).get(reverse(url_name), {"q": MANY_WORDS})

    assert response.status_code == 200


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "²"])
def test_the_recognition_feed_answers_any_month(
    month: str, client_as: Callable[[Role], Client]
) -> None:
    response = client_as(Role.AGENT).get(reverse("recognition:home"), {"month": month})

    assert response.status_code == 200

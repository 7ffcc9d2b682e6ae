from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Customer
from careloop.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers() -> None:
    Customer.objects.create(full_name="Maria Lopez", email="maria@example.test", company="Acme")
    Customer.objects.create(full_name="Jon Berg", email="jon@example.test")
    Customer.objects.create(full_name="<b>Bold</b>", email="bold@example.test")


def test_search_finds_customers_by_name_email_or_company(
    customers: None, client_as: Callable[[Role], Client]
) -> None:
    client = client_as(Role.AGENT)
    for query in ("maria", "MARIA@", "acme"):
        page = client.get(reverse("conversations:customers"), {"q": query}).context["page"]
        assert [c.full_name for c in page] == ["Maria Lopez"]


def test_htmx_search_returns_only_the_results(
    customers: None, client_as: Callable[[Role], Client]
) -> None:
    response = client_as(Role.AGENT).get(
        reverse("conversations:customers"), {"q": "jon"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Jon Berg" in body
    assert "Maria Lopez" not in body


def test_customer_names_are_escaped(customers: None, client_as: Callable[[Role], Client]) -> None:
    body = client_as(Role.AGENT).get(reverse("conversations:customers")).content.decode()
    assert "<b>Bold</b>" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body

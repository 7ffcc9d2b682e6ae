"""Recovery value and goodwill return measured from real recovery tasks and gestures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.feedback.services.recovery import close_task
from careloop.initiatives import selectors
from careloop.insights.models import CustomerActivity
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_recovery_value_counts_who_came_back_among_recovered_and_unrecovered() -> None:
    leader = UserFactory(role=Role.CX_LEADER)
    today = calendar.today()
    # Recovered: 2 of 2 came back; not recovered: 1 of 2 came back. Uplift 0.5.
    for outcome, came_back in (
        ("recovered", True), ("recovered", True),
        ("not_recovered", True), ("not_recovered", False),
    ):  # fmt: skip
        task = answered(solved_conversation(agent=UserFactory()), csat=1).recovery_task
        close_task(task, by=leader, outcome=outcome, causes=["Late parcel"], thank_customer=False)
        if came_back:
            CustomerActivity.objects.create(
                day=today + datetime.timedelta(days=1), customer_id=task.customer_id,
                team=None, channel="email",
            )  # fmt: skip
    value = selectors.recovery_value(today - datetime.timedelta(days=1), today)
    assert (value.recovered, value.recovered_retained) == (2, 2)
    assert (value.unrecovered, value.unrecovered_retained) == (2, 1)
    # 0.5 × 2 recovered × 300 (the default customer value) = 300.
    assert value.value == Decimal("300.00")


def test_goodwill_return_sets_the_money_spent_against_customers_who_came_back() -> None:
    from careloop.care.services import grant_gesture

    today = calendar.today()
    agent = UserFactory(role=Role.AGENT)
    first = solved_conversation(agent=agent)
    second = solved_conversation(agent=agent)
    for conversation in (first, second):
        grant_gesture(
            agent=agent, conversation=conversation, kind="refund", amount=Decimal("10"),
            reason="Late parcel",
        )  # fmt: skip
    CustomerActivity.objects.create(
        day=today + datetime.timedelta(days=2), customer_id=first.customer_id, team=None,
        channel="email",
    )  # fmt: skip
    result = selectors.goodwill_return(today - datetime.timedelta(days=1), today)
    assert result.spent == Decimal("20.00")
    assert (result.customers, result.came_back) == (2, 1)
    assert result.value == Decimal("300.00")


def test_imported_customer_values_replace_the_average_and_bad_rows_are_reported(
    client: Client,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from careloop.initiatives.models import CustomerValue, CustomerValueImport
    from tests.conversations.factories import CustomerFactory

    known = CustomerFactory(email="Ana@Example.test")
    client.force_login(UserFactory(role=Role.CX_LEADER))
    raw = "email,annual_value\nana@example.test,1200\nnobody@example.test,5\nana@x,abc\n"
    response = client.post(
        reverse("initiatives:customer-values"),
        {"file": SimpleUploadedFile("values.csv", raw.encode(), content_type="text/csv")},
    )
    assert response.status_code == 422
    assert "no customer with that email" in response.content.decode()
    assert CustomerValue.objects.get(customer=known).annual_value == Decimal("1200.00")
    assert CustomerValueImport.objects.get().raw == raw
    settings = selectors.money_settings()
    values = selectors.customer_values([known.pk, CustomerFactory().pk], settings)
    assert sorted(values.values()) == [Decimal("300.00"), Decimal("1200.00")]
    wrong = client.post(
        reverse("initiatives:customer-values"),
        {"file": SimpleUploadedFile("v.csv", b"id,value\n1,2\n", content_type="text/csv")},
    )
    assert wrong.status_code == 422 and "first line must be" in wrong.content.decode()


def test_erasing_a_customer_removes_their_value_and_their_line_of_the_kept_import() -> None:
    from careloop.core.privacy import erase_customer
    from careloop.initiatives.models import CustomerValue, CustomerValueImport
    from careloop.initiatives.services import import_customer_values
    from tests.conversations.factories import CustomerFactory

    gone, kept = CustomerFactory(email="gone@example.test"), CustomerFactory(email="k@example.test")
    import_customer_values(
        "email,annual_value\ngone@example.test,900\nk@example.test,100\n", by=None
    )
    erase_customer(gone, UserFactory(role=Role.ADMIN))
    assert list(CustomerValue.objects.values_list("customer_id", flat=True)) == [kept.pk]
    assert "gone@example.test" not in CustomerValueImport.objects.get().raw
    assert "k@example.test,100" in CustomerValueImport.objects.get().raw

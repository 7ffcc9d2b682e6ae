from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.core.audit import audit_events_for
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.feedback.models import Concern
from careloop.feedback.services import concerns
from careloop.people.models import BusinessHours, Holiday, User
from careloop.people.selectors import current_organisation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
HANDLERS = (Role.CX_LEADER, Role.ADMIN)
OTHERS = (Role.AGENT, Role.TEAM_LEAD, Role.PEOPLE_PARTNER)


def test_an_anonymous_concern_keeps_no_identity_and_only_the_day() -> None:
    concern, code = concerns.raise_concern(
        category="employee",
        body="The agent mocked my accent.",
        anonymous=True,
        name="Should Vanish",
        email="vanish@example.test",
    )
    concern.refresh_from_db()
    assert (concern.name, concern.email) == ("", "")
    assert isinstance(concern.raised_on, date)
    stored = {f.name: getattr(concern, f.name) for f in Concern._meta.concrete_fields}
    assert code not in str(stored)
    assert "vanish" not in str(stored).lower()
    assert not any(
        isinstance(value, datetime) for key, value in stored.items() if key != "first_response_due"
    )


def test_a_named_concern_needs_a_name() -> None:
    with pytest.raises(ValidationError):
        concerns.raise_concern(category="privacy", body="Why do you have my data?", anonymous=False)
    concern, _ = concerns.raise_concern(
        category="privacy", body="Why?", anonymous=False, name="Rosa Diaz", email="r@example.test"
    )
    assert concern.name == "Rosa Diaz"


def test_the_reference_and_code_open_the_concern_only_together() -> None:
    concern, code = concerns.raise_concern(category="other", body="Hmm", anonymous=True)
    other, other_code = concerns.raise_concern(category="other", body="Hmm", anonymous=True)
    assert concerns.concern_for_customer(concern.reference.lower(), code) == concern
    assert concerns.concern_for_customer(concern.reference, other_code) is None
    assert concerns.concern_for_customer(other.reference, code) is None
    assert concerns.concern_for_customer("C-NOTHING", code) is None


def test_the_first_response_is_due_at_the_close_of_the_second_business_day() -> None:
    organisation = current_organisation()
    for weekday in range(5):
        BusinessHours.objects.create(
            organisation=organisation, weekday=weekday, opens=time(9), closes=time(17)
        )
    Holiday.objects.create(organisation=organisation, date=date(2026, 11, 23), name="Closed")
    # Raised on a Friday: Monday is a holiday, so Tuesday and Wednesday count.
    concern, _ = concerns.raise_concern(
        category="other", body="x", anonymous=True, today=date(2026, 11, 20)
    )
    assert concern.first_response_due == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def test_handlers_are_told_a_concern_arrived_without_its_text(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    leader = UserFactory(role=Role.CX_LEADER)
    UserFactory(role=Role.TEAM_LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        concern, _ = concerns.raise_concern(
            category="employee", body="Secret details", anonymous=True
        )
    [notice] = mail.outbox
    assert notice.to == [leader.email]
    assert concern.reference in notice.subject
    assert "Secret details" not in notice.body


def test_every_read_is_audited_and_only_handlers_may_read() -> None:
    concern, _ = concerns.raise_concern(category="employee", body="x", anonymous=True)
    leader = UserFactory(role=Role.CX_LEADER)
    concerns.read_concern(concern, leader)
    concerns.read_concern(concern, leader)
    for role in OTHERS:
        with pytest.raises(PermissionDenied):
            concerns.read_concern(concern, UserFactory(role=role))
    reads = audit_events_for(concern).filter(action="concern.read")
    assert [event.actor_label for event in reads] == [leader.email, leader.email]


def test_replies_reach_the_customer_and_the_customer_answers_anonymously() -> None:
    concern, _ = concerns.raise_concern(category="unfair_policy", body="x", anonymous=True)
    leader = UserFactory(role=Role.CX_LEADER)
    concerns.reply_to_concern(concern, leader, "We are looking into it.")
    concerns.follow_up_from_customer(concern, "Thank you.")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    assert concern.first_response_at is not None
    thread = list(concern.messages.values_list("from_customer", "author", "body"))
    assert thread == [(False, leader.pk, "We are looking into it."), (True, None, "Thank you.")]


# --- pages, per role -----------------------------------------------------------------------


@pytest.mark.parametrize("role", HANDLERS)
def test_handlers_see_the_queue_and_read_a_concern_with_an_audit_entry(
    role: Role, client: Client
) -> None:
    concern, _ = concerns.raise_concern(
        category="employee", body="Rude on the phone", anonymous=True
    )
    user = UserFactory(role=role)
    client.force_login(user)
    queue = client.get(reverse("feedback:concerns"))
    assert concern.reference in queue.content.decode()
    assert "Rude on the phone" not in queue.content.decode()
    assert not AuditEvent.objects.filter(action="concern.read").exists()

    page = client.get(reverse("feedback:concern", kwargs={"pk": concern.pk}))
    assert page.status_code == 200
    assert "Rude on the phone" in page.content.decode()
    event = AuditEvent.objects.get(action="concern.read")
    assert (event.actor_id, event.target_id) == (user.pk, str(concern.pk))


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_cannot_see_concerns_and_leave_no_read(role: Role, client: Client) -> None:
    concern, _ = concerns.raise_concern(category="employee", body="Rude", anonymous=True)
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("feedback:concerns")).status_code == 403
    assert client.get(reverse("feedback:concern", kwargs={"pk": concern.pk})).status_code == 403
    assert (
        client.post(
            reverse("feedback:concern", kwargs={"pk": concern.pk}), {"body": "hi"}
        ).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action="concern.read").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    concern, _ = concerns.raise_concern(category="employee", body="Rude", anonymous=True)
    response = client.get(reverse("feedback:concern", kwargs={"pk": concern.pk}))
    assert response.status_code == 302


def test_a_customer_raises_an_anonymous_concern_and_follows_up_on_the_public_pages(
    client: Client,
) -> None:
    form = client.get(reverse("feedback:concern-new"))
    assert form.status_code == 200
    raised = client.post(
        reverse("feedback:concern-new"),
        {
            "category": "employee",
            "body": "I was spoken to rudely.",
            "identity": "anonymous",
            "name": "Not Kept",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert raised.status_code == 200
    assert raised["Cache-Control"].count("no-store")
    concern = Concern.objects.get()
    code = raised.context["code"]
    assert concern.name == "" and "203.0.113.9" not in str(concern.__dict__)
    assert concern.reference in raised.content.decode()

    wrong = client.post(
        reverse("feedback:concern-follow-up"), {"reference": concern.reference, "code": "nope"}
    )
    assert wrong.status_code == 404
    concerns.reply_to_concern(concern, UserFactory(role=Role.ADMIN), "Sorry. We are on it.")
    thread = client.post(
        reverse("feedback:concern-follow-up"),
        {"reference": concern.reference, "code": code, "body": "Thanks for answering."},
    )
    assert thread.status_code == 200
    assert "Sorry. We are on it." in thread.content.decode()
    assert concern.messages.filter(from_customer=True, body="Thanks for answering.").exists()
    assert not User.objects.filter(role=Role.CUSTOMER).exists()


def test_a_named_customer_who_left_an_address_is_told_an_answer_is_waiting(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    concern, _ = concerns.raise_concern(
        category="privacy",
        body="Delete my data",
        anonymous=False,
        name="Rosa",
        email="r@ex.test",
        notify=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        concerns.reply_to_concern(concern, UserFactory(role=Role.CX_LEADER), "Done, all deleted.")
    [notice] = mail.outbox
    assert notice.to == ["r@ex.test"]
    assert "Done, all deleted." not in notice.body
    assert "/concern/follow-up/" in notice.body


def test_the_chat_widget_offers_the_confidential_concern_page(client: Client) -> None:
    frame = client.get(reverse("conversations:chat-frame"))
    assert reverse("feedback:concern-new") in frame.content.decode()

"""Services the API calls: creating and editing customers, adding and removing tags."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from careloop.conversations import inbox_settings
from careloop.conversations.models import ContactPoint, Customer, SavedReply
from careloop.conversations.services import customers, tags
from tests.conversations.factories import ConversationFactory, CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_customer_is_found_again_by_their_email() -> None:
    created = customers.create_customer(full_name=" Ida ", email="Ida@Example.test", company="Co")
    assert (created.full_name, created.email, created.company) == ("Ida", "ida@example.test", "Co")
    found = customers.find_or_create_customer(
        kind=ContactPoint.Kind.EMAIL, value="IDA@example.test"
    )
    assert found == created


def test_an_email_already_a_contact_point_is_refused() -> None:
    owner = CustomerFactory(email=None)
    ContactPoint.objects.create(customer=owner, kind=ContactPoint.Kind.EMAIL, value="jo@x.test")
    with pytest.raises(ValidationError) as refused:
        customers.create_customer(full_name="Jo", email="JO@x.test")
    assert "email" in refused.value.message_dict
    assert Customer.objects.count() == 1


def test_editing_a_customer_changes_only_profile_fields() -> None:
    customer = CustomerFactory(full_name="Kai", notes="")
    customers.update_customer(customer, notes="Call after 5", language="de")
    customer.refresh_from_db()
    assert (customer.full_name, customer.notes, customer.language) == ("Kai", "Call after 5", "de")
    with pytest.raises(ValueError, match="email"):
        customers.update_customer(customer, email="other@x.test")


def test_tags_are_added_and_removed_by_name_and_the_rest_kept() -> None:
    conversation = ConversationFactory()
    agent = UserFactory()
    tags.set_tags(conversation, ["refund", "late"], agent)
    tags.change_tags(conversation, add=["Damaged item"], remove=["LATE"], actor=agent)
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["damaged-item", "refund"]


def test_a_saved_reply_is_created_and_changed() -> None:
    team = TeamFactory()
    saved = inbox_settings.save_saved_reply(None, title=" Hi ", body="Hello", team=team)
    inbox_settings.save_saved_reply(saved, title="Hi", body="Hello again", team=None)
    assert SavedReply.objects.values_list("title", "body", "team").get() == (
        "Hi",
        "Hello again",
        None,
    )

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import Value
from careloop.people.selectors import current_organisation
from careloop.recognition import services, tasks
from careloop.recognition.models import StoryOrigin, StoryStatus, SuccessStory
from tests.people.factories import UserFactory
from tests.recognition.factories import conversation_with_reply, customer_says

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., Any]


def a_value(name: str = "Listen first") -> Value:
    return Value.objects.get_or_create(organisation=current_organisation(), name=name)[0]


def test_kudos_are_tied_to_a_value_and_keep_its_name() -> None:
    giver, receiver = UserFactory(), UserFactory()
    kudos = services.give_kudos(
        giver=giver, receiver=receiver, value=a_value(), message="Stayed calm with a hard call."
    )
    assert kudos.value_name == "Listen first"
    kudos.value.delete()  # type: ignore[union-attr]
    kudos.refresh_from_db()
    assert (kudos.value, kudos.value_name) == (None, "Listen first")


def test_kudos_given_in_the_past_keep_their_date() -> None:
    given = timezone.now() - datetime.timedelta(days=40)
    kudos = services.give_kudos(
        giver=UserFactory(), receiver=UserFactory(), value=a_value(), message="Thanks!", at=given
    )
    kudos.refresh_from_db()
    assert kudos.created_at == given


def test_kudos_to_oneself_or_without_words_are_refused() -> None:
    person = UserFactory()
    with pytest.raises(ValidationError):
        services.give_kudos(giver=person, receiver=person, value=a_value(), message="Me!")
    with pytest.raises(ValidationError):
        services.give_kudos(giver=person, receiver=UserFactory(), value=a_value(), message=" ")


def test_a_customer_thank_you_becomes_a_suggested_story_once_it_is_read(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    agent = UserFactory(full_name="Sam Okafor")
    conversation = conversation_with_reply(agent)
    with django_capture_on_commit_callbacks(execute=True):
        thanks = customer_says(conversation, "It arrived this morning. Thank you so much Sam!")
    story = SuccessStory.objects.get()
    assert (story.agent, story.evidence_message, story.status, story.origin) == (
        agent,
        thanks,
        StoryStatus.AWAITING_CONSENT,
        StoryOrigin.CUSTOMER_PRAISE,
    )
    assert story.customer_words == "It arrived this morning. Thank you so much Sam!"


def test_the_praise_sweep_is_idempotent_and_ignores_complaints(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    with django_capture_on_commit_callbacks(execute=True):
        customer_says(conversation, "Brilliant, thanks for sorting that so quickly!")
        customer_says(conversation, "Actually the new pole is broken too. Not happy.")
    assert tasks.surface_recent_customer_praise.call() == 0
    assert tasks.surface_recent_customer_praise.call() == 0
    assert SuccessStory.objects.count() == 1


def test_praise_names_the_agent_who_helped_among_several() -> None:
    sam = UserFactory(full_name="Sam Okafor")
    priya = UserFactory(full_name="Priya Natarajan")
    conversation = conversation_with_reply(priya)
    from careloop.conversations.services.replies import reply

    reply(conversation, sam, "I'm checking on the carrier for you now.")
    praise = customer_says(conversation, "Thank you Priya, you were so kind and helpful.")
    story = services.suggest_from_message(praise)
    assert story is not None and story.agent == priya


def test_praise_without_anyone_having_replied_suggests_nothing() -> None:
    from careloop.conversations.models import Channel
    from careloop.conversations.services.conversations import receive_customer_message
    from tests.conversations.factories import CustomerFactory

    message = receive_customer_message(
        CustomerFactory(), channel=Channel.CHAT, body_text="Thank you so much, brilliant shop!"
    )
    assert services.suggest_from_message(message) is None


def test_survey_comment_words_become_a_suggestion_once() -> None:
    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    words = "Thank you for the wonderful help with my return!"
    first = services.suggest_from_customer_words(words, conversation, "CSAT survey comment")
    again = services.suggest_from_customer_words(words, conversation, "CSAT survey comment")
    assert first is not None and first == again
    assert (first.source_label, first.customer_words, first.evidence_message) == (
        "CSAT survey comment",
        words,
        None,
    )
    assert services.suggest_from_customer_words("Slow and rude.", conversation, "CSAT") is None


def test_only_the_agent_consents_and_the_story_is_then_shared_and_audited() -> None:
    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    story = services.suggest_from_message(customer_says(conversation, "Thanks a lot, perfect!"))
    assert story is not None
    with pytest.raises(PermissionDenied):
        services.consent_to_story(story, by=UserFactory(role=Role.TEAM_LEAD))
    services.consent_to_story(story, by=agent)
    assert story.status == StoryStatus.SHARED and story.shared_at is not None
    assert audit_events_for(story).filter(action="recognition.story_shared").exists()


def test_a_story_suggested_and_shared_in_the_past_keeps_both_dates() -> None:
    agent = UserFactory()
    thanks = customer_says(conversation_with_reply(agent), "Thanks a lot, perfect!")
    suggested, shared = thanks.created_at, thanks.created_at + datetime.timedelta(hours=20)
    story = services.suggest_from_message(thanks, at=suggested)
    assert story is not None
    services.consent_to_story(story, by=agent, at=shared)
    story.refresh_from_db()
    assert (story.created_at, story.decided_at, story.shared_at) == (suggested, shared, shared)


def test_declining_or_withdrawing_keeps_the_story_private() -> None:
    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    story = services.suggest_from_message(customer_says(conversation, "Thanks a lot, perfect!"))
    assert story is not None
    services.consent_to_story(story, by=agent)
    services.decline_story(story, by=agent)
    assert (story.status, story.shared_at) == (StoryStatus.DECLINED, None)
    with pytest.raises(ValidationError):
        services.consent_to_story(story, by=agent)


def test_a_colleague_drafts_from_the_customers_words_and_never_changes_them() -> None:
    agent, lead = UserFactory(), UserFactory(role=Role.TEAM_LEAD)
    conversation = conversation_with_reply(agent)
    words = customer_says(conversation, "You turned a disaster into a lovely weekend.")
    story = services.propose_story(
        by=lead, agent=agent, evidence_message=words, title="A weekend saved"
    )
    assert story.status == StoryStatus.DRAFT
    services.edit_story(
        story, by=lead, title="A weekend saved", note="Sam sent a pole.", value=None
    )
    services.ask_for_consent(story, by=lead)
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_CONSENT
    assert story.customer_words == "You turned a disaster into a lovely weekend."


def test_a_story_needs_the_customers_message_and_an_agent_who_replied() -> None:
    agent, lead = UserFactory(), UserFactory(role=Role.TEAM_LEAD)
    conversation = conversation_with_reply(agent)
    agent_reply = conversation.messages.get(author=agent)
    with pytest.raises(ValidationError):
        services.propose_story(by=lead, agent=agent, evidence_message=agent_reply, title="x")
    words = customer_says(conversation, "Lovely, thanks!")
    with pytest.raises(ValidationError):
        services.propose_story(by=lead, agent=UserFactory(), evidence_message=words, title="x")


def test_the_agent_is_emailed_once_when_a_story_waits_for_their_consent(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from django.core import mail

    agent = UserFactory(email="sam@example.test")
    conversation = conversation_with_reply(agent)
    with django_capture_on_commit_callbacks(execute=True):
        customer_says(conversation, "Thank you so much, that was brilliant!")
    story = SuccessStory.objects.get()
    assert [message.to for message in mail.outbox] == [["sam@example.test"]]
    assert f"/recognition/stories/{story.pk}/" in mail.outbox[0].body
    assert tasks.notify_agent_of_story.call(story.pk) is False
    assert len(mail.outbox) == 1


def test_the_sweep_finds_praise_in_messages_read_without_the_hook() -> None:
    from careloop.conversations import coaching

    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    praise = customer_says(conversation, "Thanks a lot for sorting it, you were great!")
    # Without on-commit callbacks the reading's own trigger never runs: the sweep catches up.
    assert coaching.read_message(praise)
    assert not SuccessStory.objects.exists()
    assert tasks.surface_recent_customer_praise.call() == 1
    assert SuccessStory.objects.get().evidence_message == praise


def test_a_grateful_survey_comment_becomes_a_suggested_story(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from careloop.conversations.models import Status
    from careloop.conversations.services.conversations import change_status
    from tests.feedback.factories import answered

    agent = UserFactory()
    conversation = conversation_with_reply(agent)
    change_status(conversation, Status.SOLVED, actor=agent)
    words = "Thank you so much, you sorted my broken tent out brilliantly!"
    with django_capture_on_commit_callbacks(execute=True):
        answered(conversation, csat=5, comment=words)
    story = SuccessStory.objects.get(customer_words=words)
    assert (story.source_label, story.agent, story.status) == (
        "Survey comment",
        agent,
        StoryStatus.AWAITING_CONSENT,
    )

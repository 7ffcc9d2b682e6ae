from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import search_index, selectors
from careloop.conversations.apps import _keep_search_index
from careloop.conversations.models import Channel, Conversation, Status
from careloop.conversations.services import assignment, conversations, replies, tags
from careloop.core.highlight import MATCH_START, MATCH_STOP, marked_html
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.playbook.models import Visibility
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory
from tests.playbook.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def conversation(
    body: str = "Hello", subject: str = "Help", channel: Channel = Channel.EMAIL, **customer: str
) -> Conversation:
    return conversations.receive_customer_message(
        CustomerFactory(**customer), channel=channel, body_text=body, subject=subject
    ).conversation


def finish(found: Conversation, status: Status = Status.CLOSED) -> Conversation:
    conversations.change_status(found, status, None)
    found.refresh_from_db()
    return found


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT, team=TeamFactory())
    client.force_login(person)
    return person


def search(client: Client, **params: object) -> list[int]:
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    return [hit.conversation.pk for hit in response.context["hits"]]


def test_a_word_only_in_a_closed_conversation_is_found(client: Client, agent: User) -> None:
    closed = finish(conversation("The kingfisher mug arrived cracked"))
    conversation("Where is my parcel?")
    assert search(client, q="kingfisher") == [closed.pk]
    assert search(client, q="KINGFISHER mug") == [closed.pk]
    assert search(client, q="kingfisher teapot") == []


def test_a_number_jumps_straight_to_its_conversation_in_any_status(
    client: Client, agent: User
) -> None:
    solved = finish(conversation(), Status.SOLVED)
    response = client.get(reverse("search:search"), {"q": f" #{solved.pk} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:conversation", args=[solved.pk])
    inbox = client.get(reverse("conversations:inbox"), {"q": f"#{solved.pk}"})
    assert inbox["Location"] == reverse("conversations:conversation", args=[solved.pk])
    missing = client.get(reverse("search:search"), {"q": "#999999"})
    assert missing.status_code == 200
    assert "There is no conversation #999999" in missing.content.decode()


def test_the_inbox_search_offers_finished_conversations_too(client: Client, agent: User) -> None:
    finish(conversation("The kingfisher mug arrived cracked"))
    response = client.get(reverse("conversations:inbox"), {"view": "all", "q": "kingfisher"})
    assert list(response.context["page"]) == []
    assert f"{reverse('search:search')}?q=kingfisher" in response.content.decode()


def test_filters_narrow_the_conversations(client: Client, agent: User) -> None:
    team = TeamFactory()
    colleague = UserFactory(role=Role.AGENT, team=team)
    by_chat = finish(conversation("refund please", channel=Channel.CHAT))
    by_mail = conversation("refund please")
    assignment.assign(by_mail, colleague, None)
    Conversation.objects.filter(pk=by_mail.pk).update(team=team)
    tags.set_tags(by_mail, ["late-delivery"], None)
    old = conversation("refund please")
    Conversation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert set(search(client, q="refund")) == {by_chat.pk, by_mail.pk, old.pk}
    assert search(client, q="refund", status=["closed"]) == [by_chat.pk]
    assert search(client, q="refund", channel="chat") == [by_chat.pk]
    assert search(client, q="refund", team=team.pk) == [by_mail.pk]
    assert search(client, q="refund", assignee=colleague.pk) == [by_mail.pk]
    assert search(client, q="refund", tag="late-delivery") == [by_mail.pk]
    assert search(client, q="refund", customer=old.customer_id) == [old.pk]
    a_month_ago = timezone.localdate() - datetime.timedelta(days=30)
    assert search(client, q="refund", until=a_month_ago.isoformat()) == [old.pk]
    assert old.pk not in search(client, q="refund", since=a_month_ago.isoformat())
    # Filters alone list every conversation they let through, in any status.
    assert search(client, status=["closed"]) == [by_chat.pk]


def test_the_snippet_marks_the_words_and_keeps_hostile_text_as_text(
    client: Client, agent: User
) -> None:
    conversation("My kingfisher order <script>alert('owned')</script> never came <b>back</b>")
    response = client.get(reverse("search:search"), {"q": "kingfisher"})
    snippet = str(response.context["hits"][0].snippet)
    assert "<mark>kingfisher</mark>" in snippet
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "<b>back" not in page


def test_marked_html_escapes_everything_but_balanced_marks() -> None:
    html = marked_html(f"a <i>{MATCH_START}x{MATCH_STOP}{MATCH_STOP} & {MATCH_START}y")
    assert html == "a &lt;i&gt;<mark>x</mark> &amp; <mark>y</mark>"


def test_customers_and_playbook_articles_are_found(client: Client, agent: User) -> None:
    customer = CustomerFactory(full_name="Ines Moreau", company="Moreau Textiles")
    CustomerFactory(full_name="Someone Else")
    ArticleFactory(title="Refunds for textiles", body="Offer a refund.", vector=b"")
    ArticleFactory(title="Sizes", body="Textiles shrink.", visibility=Visibility.PUBLIC, vector=b"")
    ArticleFactory(title="Shipping", body="Boxes.", vector=b"")
    response = client.get(reverse("search:search"), {"q": "textiles"})
    assert [hit.customer for hit in response.context["customers"]] == [customer]
    assert str(response.context["customers"][0].details) == (
        f"{customer.email} · Moreau <mark>Textiles</mark>"
    )
    titles = {hit.article.title for hit in response.context["articles"]}
    assert titles == {"Refunds for textiles", "Sizes"}


def test_a_people_partner_finds_the_playbook_but_no_customer_or_conversation(
    client: Client,
) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    conversation("textiles", full_name="Textiles Fan")
    ArticleFactory(title="Textiles", vector=b"")
    response = client.get(reverse("search:search"), {"q": "textiles"})
    assert response.context["hits"] == []
    assert response.context["customers"] == []
    assert len(response.context["articles"]) == 1
    numbered = client.get(reverse("search:search"), {"q": "#1"})
    assert numbered.status_code == 200


def test_an_internal_note_is_not_found_by_a_colleague_of_another_team(client: Client) -> None:
    writer = UserFactory(role=Role.AGENT, team=TeamFactory())
    found = conversation("Where is my order?")
    replies.reply(found, writer, "Customer is a known chargeback risk", internal=True)
    client.force_login(UserFactory(role=Role.AGENT, team=TeamFactory()))
    assert search(client, q="chargeback") == []
    assert search(client, q="order") == [found.pk]


def test_the_index_follows_erasure_and_deletion(agent: User) -> None:
    kept, erased = conversation("kingfisher"), conversation("kingfisher")
    everything = selectors.conversations_for(agent, selectors.ConversationFilters())
    Conversation.objects.filter(pk=erased.pk).update(search_text="")
    assert selectors.best_matches(everything, "kingfisher") == ([kept.pk], False)
    kept.messages.all().delete()
    kept.events.all().delete()
    kept.delete()
    assert selectors.best_matches(everything, "kingfisher") == ([], False)


def test_recent_matches_come_before_old_ones_that_match_as_well(agent: User) -> None:
    old, recent = conversation("parcel lost"), conversation("parcel lost")
    Conversation.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=365)
    )
    everything = selectors.conversations_for(agent, selectors.ConversationFilters())
    assert selectors.best_matches(everything, "parcel") == ([recent.pk, old.pk], False)


def test_search_syntax_is_never_read_from_what_was_typed(agent: User) -> None:
    found = conversation('He said "NEAR" (parcel) OR* damaged')
    everything = selectors.conversations_for(agent, selectors.ConversationFilters())
    for query in ('"NEAR', "parcel) OR*", "body:parcel", "-damaged parcel", "!!!"):
        ids, _ = selectors.best_matches(everything, query)
        assert ids in ([found.pk], []), query
    assert selectors.best_matches(everything, "parcel) OR*")[0] == [found.pk]


def test_the_sqlite_index_comes_back_after_a_table_rebuild_drops_its_triggers(
    agent: User,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the triggers keep SQLite's FTS5 table in step; PostgreSQL generates it")
    with connection.cursor() as cursor:
        for trigger in search_index.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
    found = conversation("kingfisher")
    everything = selectors.conversations_for(agent, selectors.ConversationFilters())
    assert selectors.best_matches(everything, "kingfisher") == ([], False)
    _keep_search_index()  # what runs after every migrate
    assert selectors.best_matches(everything, "kingfisher") == ([found.pk], False)
    replies.reply(found, agent, "A puffin is on its way")
    assert selectors.best_matches(everything, "puffin") == ([found.pk], False)

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Attachment, Channel, Conversation, SavedReply, Status
from careloop.conversations.services import assignment, conversations, figures, replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def conversation(subject: str = "Help", body: str = "Hello", name: str = "") -> Conversation:
    customer = CustomerFactory(full_name=name) if name else CustomerFactory()
    return conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text=body, subject=subject
    ).conversation


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT)
    client.force_login(person)
    return person


def test_the_most_upset_customer_is_at_the_top_with_the_reason(client: Client, agent: User) -> None:
    calm = conversation("Invoice copy")
    upset = conversation("Broken on arrival, third time!")
    figures.record_message_reading(upset.messages.get(), {"anger": 0.9}, 0.9)
    figures.record_message_reading(calm.messages.get(), {"neutral": 0.9}, 0.05)
    response = client.get(reverse("conversations:inbox"), {"view": "waiting"})
    rows = list(response.context["page"])
    assert rows[0] == upset
    assert "Customer sounds very upset" in response.content.decode()


def test_views_split_mine_unassigned_and_on_hold(client: Client, agent: User) -> None:
    mine, free, held = conversation("a"), conversation("b"), conversation("c")
    assignment.assign(mine, agent, agent)
    conversations.change_status(held, Status.ON_HOLD, agent)

    def listed(view: str) -> set[int]:
        page = client.get(reverse("conversations:inbox"), {"view": view}).context["page"]
        return {c.pk for c in page}

    assert listed("mine") == {mine.pk}
    assert free.pk in listed("unassigned") and mine.pk not in listed("unassigned")
    assert listed("on_hold") == {held.pk}
    assert held.pk not in listed("waiting")


def test_search_finds_words_from_messages_and_customer_names(client: Client, agent: User) -> None:
    zip_broken = conversation(
        "Jacket", body="The zipper broke on the first day", name="Ines Moreau"
    )
    conversation("Invoice", body="Please send a copy of my invoice")
    for query in ("zipper", "Moreau"):
        page = client.get(reverse("conversations:inbox"), {"view": "all", "q": query}).context[
            "page"
        ]
        assert [c.pk for c in page] == [zip_broken.pk], query
    # Typed live (htmx), "#12" lists conversation 12 whatever view it is in.
    conversations.change_status(zip_broken, Status.CLOSED, agent)
    page = client.get(
        reverse("conversations:inbox"),
        {"view": "mine", "q": f"#{zip_broken.pk}"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="inbox-search",
    ).context["page"]
    assert [c.pk for c in page] == [zip_broken.pk]
    # Enter in the box (htmx, triggered by the form) goes to the conversation.
    submitted = client.get(
        reverse("conversations:inbox"), {"q": f"#{zip_broken.pk}"}, HTTP_HX_REQUEST="true"
    )
    assert submitted["HX-Redirect"] == reverse("conversations:conversation", args=[zip_broken.pk])


def test_bulk_actions_change_every_selected_conversation(client: Client, agent: User) -> None:
    first, second, untouched = conversation(), conversation(), conversation()
    client.post(
        reverse("conversations:bulk"),
        {"action": "assign_me", "conversations": [first.pk, second.pk], "next": "/inbox/?view=all"},
    )
    client.post(
        reverse("conversations:bulk"),
        {"action": "tag", "tag": "late-delivery", "conversations": [first.pk, second.pk]},
    )
    for item in (first, second):
        item.refresh_from_db()
        assert item.assignee == agent
        assert [t.name for t in item.tags.all()] == ["late-delivery"]
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_bulk_redirect_never_leaves_the_inbox(client: Client, agent: User) -> None:
    item = conversation()
    response = client.post(
        reverse("conversations:bulk"),
        {"action": "assign_me", "conversations": [item.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == "/inbox/"


def test_agent_replies_and_the_customer_stops_waiting(client: Client, agent: User) -> None:
    item = conversation()
    client.post(
        reverse("conversations:reply", args=[item.pk]),
        {"body": "So sorry about this — a replacement is on its way.", "then_status": "pending"},
    )
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert not item.is_waiting_on_us
    assert item.messages.filter(author=agent, is_internal_note=False).count() == 1


def test_internal_notes_are_marked_and_kept_from_the_customer(client: Client, agent: User) -> None:
    item = conversation()
    client.post(
        reverse("conversations:reply", args=[item.pk]),
        {"body": "Check the stock", "internal": "on"},
    )
    page = client.get(reverse("conversations:conversation", args=[item.pk])).content.decode()
    assert "Internal note" in page
    item.refresh_from_db()
    assert item.is_waiting_on_us


def test_settings_form_assigns_tags_and_solves(client: Client, agent: User) -> None:
    item = conversation()
    lead = UserFactory(role=Role.TEAM_LEAD)
    client.post(
        reverse("conversations:settings", args=[item.pk]),
        {
            "status": "solved",
            "priority": "high",
            "assignee": lead.pk,
            "tags": "Refund, damaged item",
        },
    )
    item.refresh_from_db()
    assert (item.status, item.priority, item.assignee) == ("solved", "high", lead)
    assert sorted(t.name for t in item.tags.all()) == ["damaged-item", "refund"]


def test_merge_from_the_page_moves_the_thread(client: Client, agent: User) -> None:
    target, source = conversation(), conversation()
    response = client.post(reverse("conversations:merge", args=[source.pk]), {"into": target.pk})
    assert response["Location"] == reverse("conversations:conversation", args=[target.pk])
    assert target.messages.count() == 2
    # The old address now leads to the surviving conversation.
    old = client.get(reverse("conversations:conversation", args=[source.pk]))
    assert old["Location"] == reverse("conversations:conversation", args=[target.pk])


def test_merging_into_itself_or_nothing_is_refused(client: Client, agent: User) -> None:
    item = conversation()
    for into in (item.pk, 999_999):
        client.post(reverse("conversations:merge", args=[item.pk]), {"into": into})
        item.refresh_from_db()
        assert item.merged_into is None


def test_saved_reply_fills_placeholders_for_this_customer(client: Client, agent: User) -> None:
    item = conversation(name="Ines Moreau")
    saved = SavedReply.objects.create(
        title="Apology", body="Hi {{ customer.first_name }}, {{ agent.first_name }} here. {{ x.y }}"
    )
    response = client.get(
        reverse("conversations:saved-reply", args=[item.pk]), {"saved_reply": saved.pk}
    )
    body = response.content.decode()
    assert f"Hi Ines, {agent.first_name} here. {{{{ x.y }}}}" in body


def test_a_second_agent_sees_who_else_is_on_the_conversation(agent: User) -> None:
    item = conversation()
    other = Client()
    other.force_login(UserFactory(role=Role.AGENT, full_name="Sam Okafor"))
    other.get(reverse("conversations:presence", args=[item.pk]), {"drafting": "1"})
    mine = Client()
    mine.force_login(agent)
    response = mine.get(reverse("conversations:presence", args=[item.pk]))
    assert "Sam Okafor is writing a reply" in response.content.decode()


def test_customer_text_is_escaped_and_html_sanitised(client: Client, agent: User) -> None:
    customer = CustomerFactory(full_name="<img src=x onerror=alert(1)>")
    item = conversations.receive_customer_message(
        customer,
        channel=Channel.EMAIL,
        body_text="<script>alert(1)</script>",
        body_html='<p>Hi</p><script>alert(2)</script><a href="javascript:alert(3)">x</a>',
    ).conversation
    page = client.get(reverse("conversations:conversation", args=[item.pk])).content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    "view", ["mine", "team", "unassigned", "waiting", "on_hold", "all", "junk"]
)
def test_every_inbox_view_renders(client: Client, agent: User, view: str) -> None:
    conversation()
    assert client.get(reverse("conversations:inbox"), {"view": view}).status_code == 200


def test_inbox_rows_are_fetched_in_a_fixed_number_of_queries(
    client: Client, agent: User, django_assert_max_num_queries: Callable[..., object]
) -> None:
    for _ in range(30):
        conversation()
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get(reverse("conversations:inbox"), {"view": "all"})


def test_agent_attaches_files_to_a_reply_within_the_limits(client: Client, agent: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = conversation()
    client.post(
        reverse("conversations:reply", args=[item.pk]),
        {
            "body": "Here is your return label.",
            "attachments": [
                SimpleUploadedFile("../../etc/label.pdf", b"%PDF-1.4", "application/pdf")
            ],
        },
    )
    reply_message = item.messages.get(author=agent)
    stored = reply_message.attachments.get()
    assert (stored.filename, stored.content_type, stored.size) == (
        "label.pdf",
        "application/pdf",
        8,
    )
    assert "label" not in stored.file.name  # stored under a random name

    too_many = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(6)]
    response = client.post(
        reverse("conversations:reply", args=[item.pk]),
        {"body": "Six files", "attachments": too_many},
        follow=True,
    )
    assert "Attach at most 5 files." in response.content.decode()
    assert item.messages.filter(author=agent).count() == 1


# A real transaction, as in a request: inside the test's own transaction SET LOCAL would last.
@pytest.mark.django_db(transaction=True)
def test_a_search_raises_sort_memory_only_for_itself_on_postgresql() -> None:
    from django.db import connection

    from careloop.conversations.selectors import SEARCH_WORK_MEM, search_work_memory

    if connection.vendor != "postgresql":
        pytest.skip("work_mem is a PostgreSQL setting")

    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return str(cursor.fetchone()[0])

    before = work_mem()
    with search_work_memory("delivery"):
        assert work_mem() == SEARCH_WORK_MEM
    assert work_mem() == before


def test_another_teams_agent_reads_the_conversation_but_not_its_internal_notes(
    client: Client,
) -> None:
    billing, europe = TeamFactory(name="Billing"), TeamFactory(name="Europe")
    owner = UserFactory(role=Role.AGENT, team=billing)
    outsider = UserFactory(role=Role.AGENT, team=europe)
    colleague = UserFactory(role=Role.AGENT, team=billing)
    lead = UserFactory(role=Role.TEAM_LEAD, team=europe)
    message = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Charged twice for order 77"
    )
    conversation = message.conversation
    conversation.team = billing
    conversation.save()
    replies.reply(
        conversation, owner, "Refund approved by finance, see ticket FIN-9", internal=True
    )
    url = reverse("conversations:conversation", args=[conversation.pk])

    def page_for(person: User) -> str:
        client.force_login(person)
        return client.get(url).content.decode()

    assert "Charged twice" in page_for(outsider)
    assert "FIN-9" not in page_for(outsider)
    assert "FIN-9" in page_for(colleague)
    assert "FIN-9" in page_for(lead)


def _billing_note(text: str) -> tuple[Conversation, User]:
    """A Billing conversation with an internal note; returns it and its Billing agent."""
    billing = TeamFactory(name="Billing")
    owner = UserFactory(role=Role.AGENT, team=billing)
    conversation = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Charged twice for order 78"
    ).conversation
    conversation.team = billing
    conversation.save()
    replies.reply(conversation, owner, text, internal=True)
    return conversation, owner


def test_taking_another_teams_conversation_does_not_reveal_its_notes(client: Client) -> None:
    """Finding 5: 'assign to me' moved the conversation, and its notes, to the outsider's team."""
    conversation, _ = _billing_note("Finance ticket FIN-10, customer disputes before")
    outsider = UserFactory(role=Role.AGENT, team=TeamFactory(name="Europe"))
    assignment.assign(conversation, outsider, outsider)
    conversation.refresh_from_db()
    assert conversation.assignee == outsider
    client.force_login(outsider)
    page = client.get(reverse("conversations:conversation", args=[conversation.pk]))
    assert "Charged twice" in page.content.decode()
    assert "FIN-10" not in page.content.decode()


def test_merging_another_teams_conversation_into_ones_own_does_not_reveal_its_notes(
    client: Client,
) -> None:
    """Finding 5: merging carried the other team's notes into the outsider's conversation."""
    source, _ = _billing_note("Finance ticket FIN-11")
    europe = TeamFactory(name="Europe")
    outsider = UserFactory(role=Role.AGENT, team=europe)
    target = conversations.receive_customer_message(
        source.customer, channel=Channel.EMAIL, body_text="Another question"
    ).conversation
    target.team = europe
    target.save()
    client.force_login(outsider)
    client.post(reverse("conversations:merge", args=[source.pk]), {"into": str(target.pk)})
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    page = client.get(reverse("conversations:conversation", args=[target.pk])).content.decode()
    assert "FIN-11" not in page


def test_note_attachments_download_only_for_those_who_read_the_note(client: Client) -> None:
    """Finding 4: any agent downloaded internal-note attachments by their sequential id."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    billing = TeamFactory(name="Billing")
    owner = UserFactory(role=Role.AGENT, team=billing)
    message = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Here is my receipt"
    )
    customer_file = Attachment.objects.create(
        message=message,
        file=SimpleUploadedFile("receipt.txt", b"customer receipt"),
        filename="receipt.txt",
        content_type="text/plain",
        size=16,
    )
    conversation = message.conversation
    conversation.team = billing
    conversation.save()
    note = replies.reply(
        conversation,
        owner,
        "Fraud check notes attached",
        internal=True,
        attachments=[SimpleUploadedFile("fraud.txt", b"internal fraud check")],
    )
    note_file = note.attachments.get()

    def status_for(person: User, pk: int) -> int:
        client.force_login(person)
        return client.get(reverse("conversations:attachment", args=[pk])).status_code

    outsider = UserFactory(role=Role.AGENT, team=TeamFactory(name="Europe"))
    assert status_for(outsider, note_file.pk) == 404
    assert status_for(outsider, customer_file.pk) == 200
    assert status_for(UserFactory(role=Role.AGENT, team=billing), note_file.pk) == 200
    assert status_for(owner, note_file.pk) == 200

"""Each importer brings in its fixture (written from the product's documented export format)
with the counts it holds, twice without duplicates, and reports the records it could not
import."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from careloop.conversations.models import (
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Status,
)
from careloop.conversations.search_index import matching
from careloop.conversations.services.figures import refresh_waiting_conversations
from careloop.core.privacy import erase_customer
from careloop.importers.management.commands.import_data import ProgressLine
from careloop.importers.models import ExternalReference, ImportRun
from careloop.importers.services import import_file
from careloop.people.models import User
from tests.people.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Expected:
    source: str
    path: Path
    conversations: int
    messages: int
    customers: int
    agents_created: int
    problem_locations: tuple[str, ...]


CASES = [
    Expected(
        "zendesk",
        FIXTURES / "zendesk",
        conversations=3,
        messages=7,
        customers=2,
        agents_created=1,
        problem_locations=("tickets.json line 4", "tickets.json line 5"),
    ),
    Expected(
        "helpscout",
        FIXTURES / "helpscout.json",
        conversations=2,
        messages=4,
        customers=2,
        agents_created=0,
        problem_locations=("helpscout.json conversations #3",),
    ),
    Expected(
        "freshdesk",
        FIXTURES / "freshdesk",
        conversations=2,
        messages=5,
        customers=2,
        agents_created=1,
        problem_locations=("tickets.json tickets #3",),
    ),
    Expected(
        "chatwoot",
        FIXTURES / "chatwoot.json",
        conversations=2,
        messages=4,
        customers=2,
        agents_created=0,
        problem_locations=("chatwoot.json conversations #3",),
    ),
    Expected(
        "csv",
        FIXTURES / "conversations.csv",
        conversations=3,
        messages=6,
        customers=2,
        agents_created=1,
        problem_locations=("conversations.csv line 8", "conversations.csv line 9"),
    ),
]


@pytest.fixture
def sam() -> User:
    """An agent careloop already knows: imports attribute Sam's replies to this account."""
    return UserFactory(email="sam@acme.example", full_name="Sam Here")


def database_counts() -> tuple[int, int, int, int]:
    return (
        Conversation.objects.count(),
        Message.objects.count(),
        Customer.objects.count(),
        User.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=[case.source for case in CASES])
def test_fixture_imports_with_its_counts_and_a_second_run_adds_nothing(
    case: Expected, sam: User
) -> None:
    users_before = User.objects.count()

    run = import_file(case.source, case.path, batch_size=2)

    assert run.state == ImportRun.State.FINISHED
    assert (run.conversations_created, run.messages_created, run.customers_created) == (
        case.conversations,
        case.messages,
        case.customers,
    )
    assert run.agents_created == case.agents_created
    assert database_counts() == (
        case.conversations,
        case.messages,
        case.customers,
        users_before + case.agents_created,
    )
    assert [problem.location for problem in run.problems.all()] == list(case.problem_locations)
    assert run.failed == len(case.problem_locations)

    again = import_file(case.source, case.path, batch_size=2)

    assert again.pk != run.pk
    assert database_counts() == (
        case.conversations,
        case.messages,
        case.customers,
        users_before + case.agents_created,
    )
    assert (again.conversations_created, again.messages_created, again.customers_created) == (
        0,
        0,
        0,
    )
    assert again.already_present == case.conversations
    # Bad records are still bad: every run says which and why.
    assert again.failed == len(case.problem_locations)


def test_zendesk_ticket_keeps_its_times_authors_notes_tags_and_history(sam: User) -> None:
    import_file("zendesk", FIXTURES / "zendesk")

    ticket = Conversation.objects.get(subject="Charged twice for my order")
    assert ticket.created_at == datetime(2024, 3, 4, 9, 15, tzinfo=UTC)
    assert ticket.status == Status.SOLVED
    assert ticket.priority == "high"
    assert ticket.solved_at == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    assert ticket.first_response_seconds == 2 * 3600
    assert ticket.assignee == sam
    assert ticket.customer.email == "ana@example.com"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "refund-request"]
    messages = list(ticket.messages.order_by("created_at"))
    assert [m.author_kind for m in messages] == ["customer", "agent", "agent", "customer"]
    assert [m.is_internal_note for m in messages] == [False, False, True, False]
    assert messages[1].author == sam
    assert messages[1].response_seconds == 2 * 3600
    assert messages[0].created_at == datetime(2024, 3, 4, 9, 15, tzinfo=UTC)
    created = ticket.events.get(kind=ConversationEvent.Kind.CREATED)
    assert created.detail["imported_from"] == "zendesk"
    assert created.detail["external_id"] == "101"
    # Both of Ana's tickets belong to one customer.
    assert Conversation.objects.filter(customer=ticket.customer).count() == 2


def test_an_agent_careloop_does_not_know_becomes_an_inactive_account(sam: User) -> None:
    import_file("zendesk", FIXTURES / "zendesk")

    kim = User.objects.get(email="kim@acme.example")
    assert kim.full_name == "Kim Admin"
    assert not kim.is_active
    assert not kim.has_usable_password()
    assert kim.role == "agent"
    reply = Message.objects.get(body_text="Done, your address is updated.")
    assert reply.author == kim


def test_finished_history_runs_no_clock_and_open_conversations_join_the_inbox(
    sam: User,
) -> None:
    import_file("zendesk", FIXTURES / "zendesk")

    closed = Conversation.objects.get(subject="Change my address")
    assert closed.first_response_due is None and closed.resolution_due is None
    assert not closed.sla_breached
    assert closed.care_priority == 0
    assert not closed.events.filter(kind=ConversationEvent.Kind.SLA_BREACH).exists()

    waiting = Conversation.objects.get(subject="Where is my parcel?")
    assert waiting.status == Status.OPEN
    assert waiting.waiting_since == datetime(2024, 3, 6, 10, 0, tzinfo=UTC)
    assert waiting.first_response_due is not None
    # Waiting since March: overdue, so marked, without a breach event made up at import time.
    assert waiting.sla_breached
    assert not waiting.events.filter(kind=ConversationEvent.Kind.SLA_BREACH).exists()

    # The periodic refresh ranks it like any other waiting conversation.
    refresh_waiting_conversations()
    waiting.refresh_from_db()
    assert waiting.care_priority > 0


def test_imported_words_are_searchable_but_internal_notes_are_not(sam: User) -> None:
    import_file("helpscout", FIXTURES / "helpscout.json")

    assert list(
        Conversation.objects.filter(matching("replacement")).values_list("subject", flat=True)
    ) == ["Wrong size delivered"]
    assert not Conversation.objects.filter(matching("warehouse")).exists()
    note = Message.objects.get(is_internal_note=True)
    assert note.body_text == "Warehouse picked the wrong bin."


def test_help_scout_threads_are_read_oldest_first_without_status_lines(sam: User) -> None:
    import_file("helpscout", FIXTURES / "helpscout.json")

    conversation = Conversation.objects.get(subject="Wrong size delivered")
    assert [m.body_text for m in conversation.messages.order_by("created_at")] == [
        "I ordered a medium and got an XL.",
        "Warehouse picked the wrong bin.",
        "So sorry, Carla! A replacement in size M is on its way.",
    ]
    assert conversation.status == Status.CLOSED
    assert conversation.solved_at == datetime(2024, 4, 2, 10, 0, tzinfo=UTC)
    assert Conversation.objects.get(subject="Discount code").channel == "chat"


def test_freshdesk_description_is_the_first_message_and_statuses_map(sam: User) -> None:
    import_file("freshdesk", FIXTURES / "freshdesk")

    crash = Conversation.objects.get(subject="App crashes on login")
    assert crash.status == Status.SOLVED
    assert crash.priority == "high"
    assert crash.assignee is not None and crash.assignee.email == "eve.agent@acme.example"
    first = crash.messages.order_by("created_at").first()
    assert first is not None and first.body_text == "The app crashes every time I log in."
    invoice = Conversation.objects.get(subject="Invoice copy")
    assert invoice.customer.full_name == "Femi Ade"
    assert invoice.status == Status.OPEN


def test_chatwoot_leaves_out_activity_messages_and_keeps_unix_times(sam: User) -> None:
    import_file("chatwoot", FIXTURES / "chatwoot.json")

    conversation = Conversation.objects.get(customer__email="ivy@example.com")
    assert conversation.created_at == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    bodies = list(conversation.messages.values_list("body_text", flat=True))
    assert "Conversation was assigned to Sam Agent" not in bodies
    assert conversation.messages.get(is_internal_note=True).author == sam
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["delivery", "vip"]


def test_an_existing_customer_is_found_by_email_not_duplicated(sam: User) -> None:
    known = Customer.objects.create(full_name="Léa M.", email="lea@example.com")

    import_file("csv", FIXTURES / "conversations.csv")

    assert Conversation.objects.filter(customer=known).count() == 2
    assert Customer.objects.filter(email="lea@example.com").count() == 1


def test_command_lists_each_bad_record_and_exits_non_zero(
    sam: User, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="2 record"):
        call_command("import_data", "csv", str(FIXTURES / "conversations.csv"), "--no-progress")

    output = capsys.readouterr().out
    assert "NOT IMPORTED conversations.csv line 8 [c3]: author_role must be" in output
    assert "NOT IMPORTED conversations.csv line 9 [c3]: created_at is not an ISO 8601" in output
    assert "conversations created: 3" in output
    run = ImportRun.objects.get()
    assert run.checksum and run.path.endswith("conversations.csv")


def test_command_refuses_a_missing_file_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_data", "zendesk", str(tmp_path), "--no-progress")

    assert not ImportRun.objects.exists()


def test_erasing_an_imported_customer_forgets_their_old_id_and_a_re_run_brings_nothing_back(
    sam: User,
) -> None:
    import_file("zendesk", FIXTURES / "zendesk")
    ana = Customer.objects.get(email="ana@example.com")
    admin = UserFactory(role="admin")

    erase_customer(ana, admin)

    assert not ExternalReference.objects.filter(kind="customer", object_id=ana.pk).exists()
    conversations = Conversation.objects.count()
    again = import_file("zendesk", FIXTURES / "zendesk")
    assert again.conversations_created == 0
    assert Conversation.objects.count() == conversations
    assert not Customer.objects.filter(email="ana@example.com").exists()


def test_progress_line_shows_done_of_total_the_counts_and_the_rate(sam: User) -> None:
    output = io.StringIO()

    import_file(
        "csv",
        FIXTURES / "conversations.csv",
        batch_size=2,
        on_progress=ProgressLine(output),
        count_first=True,
    )

    lines = output.getvalue().splitlines()
    assert len(lines) >= 3
    last = lines[-1]
    assert last.startswith("[##############################] 5/5")
    assert "3 conversations, 6 messages, 2 customers new" in last
    assert "2 failed" in last
    assert "records/s" in last


def test_a_later_export_adds_only_the_new_messages_of_a_conversation(
    sam: User, tmp_path: Path
) -> None:
    rows = (FIXTURES / "conversations.csv").read_text().splitlines()[:4]
    first = tmp_path / "first.csv"
    first.write_text("\n".join(rows) + "\n")
    later = tmp_path / "later.csv"
    extra = "c1,lea@example.com,Léa Martin,Broken kettle,solved,,4,,customer,false,"
    later.write_text("\n".join([*rows, extra + "The zebra kettle works!,2024-06-04T08:00:00Z"]))
    import_file("csv", first)

    run = import_file("csv", later)

    assert (run.conversations_created, run.messages_created, run.already_present) == (0, 1, 1)
    kettle = Conversation.objects.get(subject="Broken kettle")
    assert kettle.messages.count() == 4
    assert list(Conversation.objects.filter(matching("zebra"))) == [kettle]

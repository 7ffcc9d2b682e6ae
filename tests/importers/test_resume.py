"""An import stopped midway (an exception, or the process killed) finishes on a re-run with
exact counts and no duplicates; imported customer messages are scored in batches."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.tasks import task_backends
from django.test import TestCase, override_settings

from careloop.conversations.models import Conversation, Message
from careloop.importers.models import ExternalReference, ImportRun
from careloop.importers.services import import_file
from careloop.importers.tasks import score_imported_messages
from tests.core.test_tasks import database_url_for_worker, wait_until

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = [
    "conversation_external_id", "customer_email", "customer_name", "subject", "status", "tags",
    "message_external_id", "author_email", "author_role", "internal", "body", "created_at",
]  # fmt: skip


class Interrupted(Exception):
    pass


def write_csv(path: Path, conversations: int) -> Path:
    """`conversations` conversations of two messages each, from a few hundred customers."""
    with path.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(HEADER)
        for number in range(conversations):
            customer = f"customer{number % 300}@example.com"
            common = [f"t{number}", customer, f"Customer {number % 300}", f"Order {number}"]
            writer.writerow(
                [*common, "solved", "orders", "1", "", "customer", "false",
                 f"Where is order {number}?", "2024-01-01T10:00:00Z"]
            )  # fmt: skip
            writer.writerow(
                [*common, "solved", "orders", "2", "agent@acme.example", "agent", "false",
                 "It ships today.", "2024-01-01T11:00:00Z"]
            )  # fmt: skip
    return path


@pytest.mark.django_db
def test_a_run_stopped_mid_batch_resumes_at_its_checkpoint_with_exact_counts() -> None:
    batches = 0

    def stop_in_third_batch(run: ImportRun) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_file(
            "zendesk", FIXTURES / "zendesk", batch_size=1, before_commit=stop_in_third_batch
        )

    interrupted = ImportRun.objects.get()
    # The third batch rolled back whole, as a kill would leave it.
    assert interrupted.state == ImportRun.State.RUNNING
    assert interrupted.checkpoint == 2
    assert Conversation.objects.count() == 2

    resumed = import_file("zendesk", FIXTURES / "zendesk", batch_size=1)

    assert resumed.pk == interrupted.pk
    assert resumed.state == ImportRun.State.FINISHED
    assert resumed.conversations_created == Conversation.objects.count() == 3
    assert resumed.messages_created == Message.objects.count() == 7
    assert resumed.failed == resumed.problems.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_process_finishes_on_a_re_run_without_duplicates(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "big.csv", 3000)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careloop.settings.base",
        "DATABASE_URL": database_url_for_worker(),
    }
    careloop = Path(sys.executable).with_name("careloop")
    process = subprocess.Popen(
        [careloop, "import", "csv", str(export), "--batch-size", "25", "--no-progress"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(
            lambda: (
                process.poll() is not None or ImportRun.objects.filter(checkpoint__gte=100).exists()
            ),
            timeout=120,
            describe=lambda: "the import never reached its fourth batch",
        )
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    killed = ImportRun.objects.get()
    assert killed.state == ImportRun.State.RUNNING
    assert 0 < Conversation.objects.count() < 3000

    resumed = import_file("csv", export, batch_size=500)

    assert resumed.pk == killed.pk and resumed.state == ImportRun.State.FINISHED
    assert Conversation.objects.count() == 3000
    assert Message.objects.count() == 6000
    assert resumed.conversations_created == 3000 and resumed.messages_created == 6000
    assert resumed.customers_created == 300
    assert ExternalReference.objects.filter(kind="conversation").count() == 3000


@pytest.mark.django_db
@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_customer_messages_are_scored_in_batches_in_the_background(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "some.csv", 40)

    with TestCase.captureOnCommitCallbacks(execute=True):
        import_file("csv", export, batch_size=15)

    enqueued = task_backends["default"].results  # type: ignore[attr-defined]
    # One task per batch of customer messages, never one per message.
    assert len(enqueued) == 3
    assert sum(len(result.args[0]) for result in enqueued) == 40
    customer_ids = set(
        Message.objects.filter(author_kind=Message.Author.CUSTOMER).values_list("pk", flat=True)
    )
    assert {pk for result in enqueued for pk in result.args[0]} == customer_ids


@pytest.mark.django_db
def test_scoring_task_reads_each_imported_customer_message_once() -> None:
    import_file("csv", FIXTURES / "conversations.csv")
    customer_ids = list(
        Message.objects.filter(author_kind=Message.Author.CUSTOMER).values_list("pk", flat=True)
    )

    assert score_imported_messages.call(customer_ids) == len(customer_ids)
    assert not Message.objects.filter(pk__in=customer_ids, scored_at__isnull=True).exists()
    upset = Message.objects.get(body_text__startswith="My kettle stopped")
    assert upset.distress is not None
    assert score_imported_messages.call(customer_ids) == 0

"""The in-process scheduler: one declaration of the schedule, exclusive claims in the database,
failures that never stop the rest, and the real jobs doing their work when due."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import Task, task
from django.test import override_settings
from django.utils import timezone

import careloop
from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.models import ScheduledJob
from careloop.feedback.models import SurveyInvitation
from careloop.feedback.services import surveys
from careloop.ops import gunicorn_hooks, scheduler
from careloop.ops.management.commands import serve
from careloop.ops.schedule import SCHEDULE, PeriodicJob, beat_schedule
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import solved_conversation

# Tasks without arguments that are deliberately not on the schedule, and why.
NOT_PERIODIC = {
    # `careloop poll_imap --loop` polls the mailbox, only where one is configured.
    "careloop.conversations.tasks.poll_mailbox",
    # Asked for when a message is stored (at most once per reading window); the periodic
    # sweep of unread messages catches anything it leaves.
    "careloop.conversations.tasks.read_unread_customer_messages",
}
# Modules that are not part of the running product: pair_training needs PyTorch, which only the
# training environment has (scripts/train-pair-model).
NOT_TASK_MODULES = (
    "migrations",
    "settings",
    "wsgi",
    "asgi",
    "celery",
    "cli",
    "management",
    "pair_training",
)

turns: list[str] = []
turns_lock = threading.Lock()


@task()
def take_a_turn() -> str:
    with turns_lock:
        turns.append("turn")
    return "done"


@task()
def break_down() -> None:
    raise RuntimeError("the mail server is down")


COUNTING = PeriodicJob("counting", f"{__name__}.take_a_turn", timedelta(minutes=5))
FAILING = PeriodicJob("failing", f"{__name__}.break_down", timedelta(hours=1))


@pytest.fixture(autouse=True)
def no_turns_yet() -> None:
    turns.clear()


def tasks_without_arguments() -> set[str]:
    found = set()
    for module_info in pkgutil.walk_packages(careloop.__path__, "careloop."):
        if any(part in NOT_TASK_MODULES for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Task) and not inspect.signature(value.func).parameters:
                found.add(value.module_path)
    return found


def test_the_schedule_declares_every_task_that_takes_no_arguments() -> None:
    declared = {job.task_path for job in SCHEDULE}
    assert declared == tasks_without_arguments() - NOT_PERIODIC
    assert len({job.name for job in SCHEDULE}) == len(SCHEDULE)


def test_celery_beat_runs_the_same_declaration() -> None:
    assert beat_schedule() == settings.CELERY_BEAT_SCHEDULE
    assert set(settings.CELERY_BEAT_SCHEDULE) == {job.name for job in SCHEDULE}
    refresh = settings.CELERY_BEAT_SCHEDULE["refresh-care-priorities"]
    assert refresh["args"][0] == "careloop.conversations.tasks.refresh_care_priorities"
    assert refresh["schedule"] == 60.0


def test_with_a_celery_broker_the_in_process_scheduler_stays_off() -> None:
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"):
        assert not scheduler.runs_in_process()
        assert scheduler.start_scheduler() is None
    assert scheduler.runs_in_process()


@pytest.mark.django_db
def test_a_job_runs_when_due_and_then_waits_its_interval() -> None:
    now = timezone.now()
    [run] = scheduler.run_due_jobs(now, [COUNTING])
    assert run.succeeded and run.result == "done"
    assert scheduler.run_due_jobs(now + timedelta(minutes=4), [COUNTING]) == []
    assert len(scheduler.run_due_jobs(now + timedelta(minutes=5), [COUNTING])) == 1
    assert turns == ["turn", "turn"]
    row = ScheduledJob.objects.get(name="counting")
    assert row.next_run_at == now + timedelta(minutes=10)
    assert row.locked_until is None


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_rescheduled_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = timezone.now()
    failed, succeeded = scheduler.run_due_jobs(now, [FAILING, COUNTING])
    assert not failed.succeeded
    assert "the mail server is down" in failed.error
    assert succeeded.succeeded
    assert turns == ["turn"]
    assert "Periodic job failing failed" in caplog.text
    row = ScheduledJob.objects.get(name="failing")
    assert row.locked_until is None
    assert "RuntimeError" in row.last_error
    # Tried again after the retry delay, not after its hourly interval.
    assert row.next_run_at == now + scheduler.RETRY_AFTER
    [again] = scheduler.run_due_jobs(now + scheduler.RETRY_AFTER, [FAILING])
    assert again.name == "failing"


@pytest.mark.django_db
def test_a_turn_held_by_another_process_is_left_alone_until_its_lease_runs_out() -> None:
    now = timezone.now()
    ScheduledJob.objects.create(
        name="counting", next_run_at=now, locked_until=now + timedelta(minutes=1)
    )
    assert scheduler.run_due_jobs(now, [COUNTING]) == []
    # The holder died: once its lease is over, another process takes the turn.
    assert len(scheduler.run_due_jobs(now + timedelta(minutes=1), [COUNTING])) == 1


def race(work: Callable[[], object], racers: int = 2) -> list[object]:
    """Run `work` in `racers` threads (each with its own database connection) released at once."""
    start = threading.Barrier(racers)
    results: list[object] = []
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_of_two_connections_claiming_the_same_due_turn_exactly_one_wins() -> None:
    now = timezone.now()
    ScheduledJob.objects.create(name="counting", next_run_at=now)
    claims = race(lambda: scheduler.claim(COUNTING, now))
    assert sorted(claim is None for claim in claims) == [False, True]


@pytest.mark.django_db(transaction=True)
def test_two_processes_ticking_at_once_run_a_due_job_once() -> None:
    now = timezone.now()
    runs = race(lambda: scheduler.run_due_jobs(now, [COUNTING, FAILING]), racers=3)
    assert turns == ["turn"]
    assert sum(len(run) for run in runs if isinstance(run, list)) == 2


@pytest.mark.django_db
def test_the_real_schedule_sends_a_due_survey_and_refreshes_care_priority() -> None:
    now = timezone.now()
    solved = solved_conversation(subject="Broken zip")
    surveys.schedule_post_resolution_survey(solved, now=now - timedelta(days=2))
    waiting = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Hello?", at=now - timedelta(days=10)
    ).conversation
    # As it stood before: nothing refreshed it while it waited ten days.
    Conversation.objects.filter(pk=waiting.pk).update(
        care_priority=0.0, care_priority_reasons=[], sla_breached=False
    )

    runs = scheduler.run_due_jobs(now)

    assert {run.name for run in runs} == {job.name for job in SCHEDULE}
    assert [run.name for run in runs if not run.succeeded] == []
    invitation = SurveyInvitation.objects.get(conversation=solved)
    assert invitation.status == SurveyInvitation.Status.SENT
    assert any("Broken zip" in email.body for email in mail.outbox)
    waiting.refresh_from_db()
    assert waiting.sla_breached
    assert waiting.care_priority > 0
    assert waiting.care_priority_reasons
    # Nothing is due again a minute later but the jobs that run every minute.
    later = scheduler.run_due_jobs(now + timedelta(minutes=1))
    every_minute = [job.name for job in SCHEDULE if job.every == timedelta(minutes=1)]
    assert sorted(run.name for run in later) == sorted(every_minute)
    assert "deliver-due-gestures" in every_minute


@pytest.mark.django_db
def test_the_demo_runs_some_jobs_more_often() -> None:
    now = timezone.now()
    every = {"counting": timedelta(minutes=1)}
    scheduler.run_due_jobs(now, [COUNTING], every)
    assert len(scheduler.run_due_jobs(now + timedelta(minutes=1), [COUNTING], every)) == 1


def test_careloop_serve_starts_the_scheduler_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[bool] = []
    served: list[str] = []
    monkeypatch.setattr(serve, "start_scheduler", lambda: started.append(True))
    monkeypatch.setattr(serve, "call_command", lambda name, *args, **options: served.append(name))
    call_command("serve", "127.0.0.1:8765")
    call_command("serve", "127.0.0.1:8765", "--no-scheduler")
    assert started == [True]
    assert served == ["runserver", "runserver"]


def test_each_gunicorn_worker_starts_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []
    monkeypatch.setattr(scheduler, "start_scheduler", lambda: started.append(True))
    gunicorn_hooks.post_worker_init(worker=None)
    assert started == [True]

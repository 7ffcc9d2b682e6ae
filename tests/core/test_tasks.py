"""Background tasks: inline by default, and on a real Celery worker when a broker is configured.

The Celery test starts `careloop worker` as a separate process on the test database and a
real broker (CARELOOP_TEST_BROKER_URL, default Redis database 15). Without a reachable broker
it is skipped, unless CARELOOP_REQUIRE_REDIS=1 says the run must exercise it.
"""

from __future__ import annotations

import email.policy
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.core.celery import app as celery_app
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.people.services import add_person
from careloop.people.tasks import send_invitation
from tests.fixtures.broker import emptied_broker_url
from tests.people.factories import UserFactory

SET_PASSWORD_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")
NEW_PASSWORD = "lantern-orbit-4417"
WORKER_START_TIMEOUT_S = 60
TASK_TIMEOUT_S = 30
# What Django's file-based email backend writes after each message.
FILE_BACKEND_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def set_password_link(body: str) -> str:
    match = SET_PASSWORD_LINK.search(body)
    assert match, f"no set-password link in:\n{body}"
    return match.group()


def wait_until(
    condition: Callable[[], bool], *, timeout: float, describe: Callable[[], str]
) -> None:
    """Return once `condition()` holds; fail with `describe()` if it does not within `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up after {timeout}s: {describe()}")
        time.sleep(0.1)


# Inline: the default, and what every other test relies on.


@pytest.mark.django_db
def test_adding_a_person_emails_an_invitation_once_committed(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        person = add_person(
            email="ada@example.test",
            full_name="Ada Lovelace",
            role=Role.AGENT,
            team=None,
            actor=UserFactory(role=Role.ADMIN),
        )
        assert mail.outbox == [], "the invitation must wait for the person to be committed"

    person.refresh_from_db()
    assert person.invitation_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.test"]
    assert "/accounts/password/reset/key/" in set_password_link(mail.outbox[0].body)


@pytest.mark.django_db
def test_sending_an_invitation_again_sends_nothing() -> None:
    person = UserFactory()
    assert send_invitation.call(person.pk) is True
    first_sent_at = User.objects.get(pk=person.pk).invitation_sent_at

    assert send_invitation.call(person.pk) is False

    assert len(mail.outbox) == 1
    assert User.objects.get(pk=person.pk).invitation_sent_at == first_sent_at


@pytest.mark.django_db
def test_invitation_link_lets_the_person_choose_a_password_and_sign_in(client: Client) -> None:
    person = UserFactory(email="grace@example.test")
    send_invitation.call(person.pk)
    link_path = urlsplit(set_password_link(mail.outbox[0].body)).path

    form_page = client.get(link_path, follow=True)
    assert form_page.status_code == 200
    assert "form" in form_page.context, "the link was not accepted"
    chosen = client.post(
        form_page.request["PATH_INFO"],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("account_reset_password_from_key_done")

    visitor = Client()
    signed_in = visitor.post(
        reverse("account_login"), {"login": "grace@example.test", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert visitor.session["_auth_user_id"] == str(person.pk)


# Celery: a real worker process, the test database and a real broker.


@pytest.fixture
def celery_broker_url() -> Iterator[str]:
    """A reachable, empty broker that this process's Celery app sends to."""
    broker_url = emptied_broker_url(settings.CELERY_TASK_DEFAULT_QUEUE)

    # Celery lets these environment variables win over app.conf, so they must not be set here.
    saved_environment = {
        name: os.environ.pop(name)
        for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL")
        if name in os.environ
    }
    saved_broker_url = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=broker_url)
    yield broker_url
    celery_app.pool.force_close_all()
    celery_app.conf.update(broker_url=saved_broker_url)
    os.environ.update(saved_environment)


def database_url_for_worker() -> str:
    """A DATABASE_URL for the database this test run is using (the test database)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "a worker cannot share an in-memory database"
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = database["HOST"] or "localhost"
        if host.startswith("/"):
            host = quote(host, safe="")
        port = f":{database['PORT']}" if database["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"
    pytest.fail(f"No DATABASE_URL for a {connection.vendor} test database")


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path
    outbox: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sent_emails(self) -> list[EmailMessage]:
        """The emails the worker wrote with Django's file-based backend."""
        parser = BytesParser(_class=EmailMessage, policy=email.policy.default)
        return [
            parser.parsebytes(raw)
            for path in sorted(self.outbox.glob("*.log"))
            for raw in path.read_bytes().split(FILE_BACKEND_SEPARATOR)
            if raw.strip()
        ]


@pytest.fixture
def celery_worker(
    transactional_db: None, celery_broker_url: str, tmp_path: Path
) -> Iterator[Worker]:
    """`careloop worker` in its own process, with the real settings, on the test database."""
    log_path, outbox = tmp_path / "worker.log", tmp_path / "outbox"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careloop.settings.base",
        "DATABASE_URL": database_url_for_worker(),
        "CELERY_BROKER_URL": celery_broker_url,
        # Links the worker signs must open in this process's test client.
        "CARELOOP_SECRET_KEY": settings.SECRET_KEY,
        "CARELOOP_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "CARELOOP_EMAIL_FILE_PATH": str(outbox),
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("CELERY_BROKER_WRITE_URL", None)
    careloop = Path(sys.executable).with_name("careloop")
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [careloop, "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO"],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(process, log_path, outbox)
    try:
        wait_until(
            lambda: process.poll() is not None or " ready." in worker.log(),
            timeout=WORKER_START_TIMEOUT_S,
            describe=lambda: f"the worker did not become ready:\n{worker.log()}",
        )
        if process.poll() is not None:
            pytest.fail(f"The worker exited with {process.returncode}:\n{worker.log()}")
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_celery_worker_sends_an_enqueued_invitation(
    celery_worker: Worker, celery_broker_url: str
) -> None:
    person = UserFactory(email="katherine@example.test")
    celery_backend = {"default": {"BACKEND": "careloop.core.task_backends.CeleryBackend"}}
    with override_settings(TASKS=celery_backend, CELERY_BROKER_URL=celery_broker_url):
        result = send_invitation.enqueue(person.pk)

    finished = re.compile(rf"careloop\.run_task\[{re.escape(result.id)}\] (succeeded|raised)")
    wait_until(
        lambda: finished.search(celery_worker.log()) is not None,
        timeout=TASK_TIMEOUT_S,
        describe=lambda: f"the worker did not run the task:\n{celery_worker.log()}",
    )
    assert f"careloop.run_task[{result.id}] succeeded" in celery_worker.log()
    assert User.objects.get(pk=person.pk).invitation_sent_at is not None
    assert mail.outbox == [], "the invitation was sent by this process, not the worker"
    [invitation] = celery_worker.sent_emails()
    assert invitation["To"] == "katherine@example.test"
    body = invitation.get_body(preferencelist=("plain",))
    assert body is not None
    assert "/accounts/password/reset/key/" in set_password_link(body.get_content())


def test_worker_refuses_to_start_without_a_broker() -> None:
    with (
        override_settings(CELERY_BROKER_URL=""),
        pytest.raises(CommandError, match="CELERY_BROKER_URL"),
    ):
        call_command("worker")

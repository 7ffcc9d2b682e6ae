from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from careloop.conversations.channels import email_views
from careloop.conversations.channels.email_parsing import dedupe_key_for
from careloop.conversations.models import InboundRecord, Message
from tests.conversations.channels.builders import customer_email
from tests.conversations.channels.hostile_emails import hostile_emails

pytestmark = pytest.mark.django_db

TOKEN = "inbound-secret-for-tests"
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def inbound_token(settings: Any, tmp_path: Any) -> None:
    settings.CARELOOP_INBOUND_EMAIL_TOKEN = TOKEN
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def post_email(
    client: Client, django_capture_on_commit_callbacks: OnCommit
) -> Callable[..., HttpResponse]:
    def post(raw: bytes, token: str | None = TOKEN) -> HttpResponse:
        headers = {} if token is None else {"X-Careloop-Inbound-Token": token}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("conversations:inbound-email"),
                data=raw,
                content_type="message/rfc822",
                headers=headers,
            )

    return post


def test_a_posted_email_is_accepted_and_stored(post_email: Callable[..., HttpResponse]) -> None:
    response = post_email(customer_email(message_id="<posted@example.test>"))
    assert response.status_code == 202
    assert response.json() == {"stored": True, "duplicate": False}
    record = InboundRecord.objects.get(dedupe_key="<posted@example.test>")
    assert record.state == InboundRecord.State.PROCESSED
    assert Message.objects.count() == 1


def test_posting_the_same_email_again_reports_a_duplicate_and_adds_nothing(
    post_email: Callable[..., HttpResponse],
) -> None:
    raw = customer_email()
    post_email(raw)
    response = post_email(raw)
    assert response.status_code == 202
    assert response.json() == {"stored": True, "duplicate": True}
    assert (InboundRecord.objects.count(), Message.objects.count()) == (1, 1)


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x", TOKEN.upper()])
def test_a_missing_or_wrong_token_is_refused_and_nothing_stored(
    post_email: Callable[..., HttpResponse], token: str | None
) -> None:
    response = post_email(customer_email(), token=token)
    assert response.status_code == 401
    assert InboundRecord.objects.count() == 0


def test_with_no_token_configured_the_endpoint_refuses_everyone(
    post_email: Callable[..., HttpResponse], settings: Any
) -> None:
    settings.CARELOOP_INBOUND_EMAIL_TOKEN = ""
    assert post_email(customer_email(), token="").status_code == 401
    assert InboundRecord.objects.count() == 0


def test_an_email_over_the_size_limit_is_refused_with_413(
    post_email: Callable[..., HttpResponse], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = customer_email(body="x" * 5000)
    monkeypatch.setattr(email_views, "MAX_RAW_EMAIL_BYTES", len(raw) - 1)
    assert post_email(raw).status_code == 413
    assert InboundRecord.objects.count() == 0


def test_emails_over_django_form_limits_but_under_ours_are_accepted(
    post_email: Callable[..., HttpResponse], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post_email(customer_email(body="long " * 2000))
    assert response.status_code == 202


def test_an_empty_request_is_a_bad_request(post_email: Callable[..., HttpResponse]) -> None:
    assert post_email(b"").status_code == 400


def test_only_post_is_allowed(client: Client) -> None:
    response = client.get(reverse("conversations:inbound-email"))
    assert response.status_code == 405


def test_the_endpoint_needs_no_csrf_token(post_email: Callable[..., HttpResponse]) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        reverse("conversations:inbound-email"),
        data=customer_email(),
        content_type="message/rfc822",
        headers={"X-Careloop-Inbound-Token": TOKEN},
    )
    assert response.status_code == 202


UNSAFE_HTML = re.compile(r"<\s*script|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def test_two_hundred_hostile_emails_are_all_kept_and_none_breaks_anything(
    post_email: Callable[..., HttpResponse],
) -> None:
    emails = hostile_emails()
    assert len(emails) == 200
    expected_keys: set[str] = set()
    failures = []
    for number, email in enumerate(emails):
        response = post_email(email.raw)
        expected_status = 413 if email.oversize else 202
        if response.status_code != expected_status:
            failures.append((number, email.category, response.status_code))
            continue
        if not email.oversize:
            key = dedupe_key_for(email.raw)
            assert response.json()["duplicate"] is (key in expected_keys), (number, email.category)
            expected_keys.add(key)
    assert failures == []

    records = InboundRecord.objects.all()
    assert set(records.values_list("dedupe_key", flat=True)) == expected_keys
    # Each one was handled: made into a message, or flagged with its problem named.
    assert not records.filter(state=InboundRecord.State.RECEIVED).exists()
    assert not records.filter(state=InboundRecord.State.FLAGGED, problem="").exists()
    assert records.filter(state=InboundRecord.State.FLAGGED, message__isnull=True).exists()
    assert records.filter(message__isnull=False).count() > 100

    html_bodies = list(Message.objects.exclude(body_html="").values_list("body_html", flat=True))
    assert len(html_bodies) >= 8  # the hostile HTML ones, at least
    assert [html for html in html_bodies if UNSAFE_HTML.search(html)] == []
    for email in emails:
        if not email.oversize:
            stored = InboundRecord.objects.filter(dedupe_key=dedupe_key_for(email.raw)).first()
            assert stored is not None
            if email.category != "duplicate_message_id":
                assert bytes(stored.raw) == email.raw

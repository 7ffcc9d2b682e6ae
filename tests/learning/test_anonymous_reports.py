"""An anonymous report must stay anonymous: nothing stored or logged points to its author."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.learning import services
from careloop.learning.models import AnonymousReply, AnonymousReport
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORTER_IP = "203.0.113.77"


def rows_of(table: str) -> list[dict[str, object]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_report_and_its_thread_store_and_log_nothing_that_points_to_the_author(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = UserFactory(role=Role.AGENT, email="reporter@example.test", full_name="Rita Q")
    lead = UserFactory(role=Role.TEAM_LEAD)
    caplog.set_level(logging.DEBUG)

    client.force_login(reporter)
    filed = client.post(
        reverse("learning:report"),
        {"kind": "near_miss", "body": "Refunds over 500 need no second look."},
        REMOTE_ADDR=REPORTER_IP,
        HTTP_USER_AGENT="ReporterBrowser/1.0",
    )
    code = re.search(r'data-testid="follow-up-code">([^<]+)<', filed.content.decode())
    assert code is not None
    report = AnonymousReport.objects.get()
    services.reply_to_report(report, lead, "Thank you. Can you say which queue?")
    followed = client.post(
        reverse("learning:report-follow-up"),
        {"code": code.group(1), "body": "The billing queue."},
        REMOTE_ADDR=REPORTER_IP,
    )
    assert "Thank you. Can you say which queue?" in followed.content.decode()

    report_rows = rows_of(AnonymousReport._meta.db_table)
    reply_rows = rows_of(AnonymousReply._meta.db_table)
    assert set(report_rows[0]) == {"id", "kind", "body", "reported_on", "follow_up_code_hash"}
    assert set(reply_rows[0]) == {
        "id",
        "report_id",
        "from_reporter",
        "body",
        "written_on",
        "facilitator_id",
        "position",
    }
    reporter_marks = (reporter.email, reporter.full_name, REPORTER_IP, "ReporterBrowser")
    for row in report_rows + reply_rows:
        for value in row.values():
            assert not any(mark in str(value) for mark in reporter_marks), row
    # The only link to a person is the facilitator who answered, never the reporter.
    user_links = [
        field.name
        for model in (AnonymousReport, AnonymousReply)
        for field in model._meta.concrete_fields
        if field.related_model is type(reporter)
    ]
    assert user_links == ["facilitator"]
    assert {row["facilitator_id"] for row in reply_rows} == {None, lead.pk}
    assert code.group(1) not in str(report_rows)  # only a hash of the code is kept
    reporter_reply = next(row for row in reply_rows if row["from_reporter"])
    assert reporter_reply["facilitator_id"] is None
    # Dates only, never a time of day that could be matched against who was online.
    assert isinstance(AnonymousReport.objects.get().reported_on, datetime.date)
    assert not isinstance(AnonymousReport.objects.get().reported_on, datetime.datetime)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for mark in (*reporter_marks, code.group(1)):
        assert mark not in logged


def test_the_follow_up_code_opens_only_its_own_thread(client: Client) -> None:
    client.force_login(UserFactory())
    _, code = services.file_anonymous_report("mistake", "I sent the wrong label.")
    services.file_anonymous_report("mistake", "Someone else's report.")

    opened = client.post(reverse("learning:report-follow-up"), {"code": code})
    wrong = client.post(reverse("learning:report-follow-up"), {"code": "not-a-real-code"})

    assert "I sent the wrong label." in opened.content.decode()
    assert "Someone else" not in opened.content.decode()
    assert wrong.status_code == 404
    assert "does not open a report" in wrong.content.decode()


def test_facilitators_read_and_answer_reports_and_agents_may_not(client: Client) -> None:
    report, _ = services.file_anonymous_report("mistake", "Macro sends the wrong policy.")
    thread = reverse("learning:report-thread", kwargs={"pk": report.pk})

    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("learning:report-inbox")).status_code == 403
    assert client.post(thread, {"body": "hi"}).status_code == 403

    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    assert (
        "Macro sends the wrong policy."
        in client.get(reverse("learning:report-inbox")).content.decode()
    )
    client.post(thread, {"body": "We are fixing the macro."})
    assert report.replies.get().body == "We are fixing the macro."

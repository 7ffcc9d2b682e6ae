"""Retention purges cover every kept raw input, and no period or rule can stop the night's run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import Channel, InboundRecord
from careloop.core import privacy
from careloop.core.audit import record_audit
from careloop.core.models import AuditEvent, RetentionRule
from careloop.core.permissions import Role
from careloop.core.privacy import RetentionSource, purge_expired_data, set_retention_days
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
LONG_AGO = timedelta(days=91)


def test_a_flagged_inbound_record_is_purged_like_a_processed_one() -> None:
    for key, state in (("a", "processed"), ("b", "flagged"), ("c", "flagged")):
        InboundRecord.objects.create(channel=Channel.CHAT, dedupe_key=key, raw=b"{}", state=state)
    InboundRecord.objects.exclude(dedupe_key="c").update(received_at=timezone.now() - LONG_AGO)

    assert purge_expired_data()["raw_inbound"] == 2

    kept = {record.dedupe_key: bytes(record.raw) for record in InboundRecord.objects.all()}
    assert kept == {"a": b"", "b": b"", "c": b"{}"}


def test_a_period_of_a_million_days_saved_earlier_does_not_crash_the_purge() -> None:
    RetentionRule.objects.create(data_type="finished_conversation_text", keep_days=1_000_000)
    record_audit(None, "old.thing")
    AuditEvent.objects.update(at=timezone.now() - timedelta(days=800))

    counts = purge_expired_data()

    assert counts["audit_events"] == 1
    assert counts["finished_conversation_text"] == 0


def test_a_failing_rule_is_logged_and_the_others_still_purge(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_cutoff: object) -> int:
        raise RuntimeError("table is gone")

    sources = {**privacy._retention_sources, "broken": RetentionSource("broken", "A", 1, broken)}
    monkeypatch.setattr(privacy, "_retention_sources", sources)
    record_audit(None, "old.thing")
    AuditEvent.objects.update(at=timezone.now() - timedelta(days=800))

    counts = purge_expired_data()

    assert counts["audit_events"] == 1
    assert "broken" not in counts
    assert "Retention purge of broken failed" in caplog.text


def test_periods_beyond_a_hundred_years_are_refused() -> None:
    admin = UserFactory(role=Role.ADMIN)
    with pytest.raises(ValueError, match="1 to 36500"):
        set_retention_days("audit_events", 36_501, admin)
    set_retention_days("audit_events", 36_500, admin)
    assert RetentionRule.objects.get().keep_days == 36_500


@pytest.mark.parametrize("days", ["1000000", "9" * 25, "²", "1e3", "-5", "0", "30.5"])
def test_the_retention_page_refuses_what_is_not_a_sane_period(
    days: str, client_as: Callable[[Role], Client]
) -> None:
    form = {"raw_inbound": days, "finished_conversation_text": "1095", "audit_events": "730"}

    response = client_as(Role.ADMIN).post(reverse("core:retention"), form, follow=True)

    assert response.status_code == 200
    assert "from 1 to 36500" in response.content.decode()
    assert not RetentionRule.objects.exists()

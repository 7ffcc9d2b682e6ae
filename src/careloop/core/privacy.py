"""Customers' rights over their data (export, erasure) and retention, across every domain.

Domains register what they hold about a customer and what expires; this module runs them
together, inside one transaction, and records each run in the audit trail. Erasure keeps the
numbers aggregates need (times, scores, statuses) and removes what identifies a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from careloop.core.audit import record_audit
from careloop.core.models import RetentionRule

logger = logging.getLogger(__name__)

# A hundred years: longer is no retention period, and far longer overflows the date arithmetic.
MAX_RETENTION_DAYS = 36_500


@dataclass(frozen=True)
class CustomerDataSource:
    name: str
    export: Callable[[Any], Any]  # the customer -> JSON-ready data
    erase: Callable[[Any], int]  # the customer -> rows changed or removed


@dataclass(frozen=True)
class RetentionSource:
    data_type: str
    label: str
    default_days: int
    purge: Callable[[datetime], int]  # removes what is older than the cutoff; returns a count


_customer_sources: dict[str, CustomerDataSource] = {}
_retention_sources: dict[str, RetentionSource] = {}


def register_customer_data(source: CustomerDataSource) -> None:
    _customer_sources[source.name] = source


def register_retention(source: RetentionSource) -> None:
    _retention_sources[source.data_type] = source


def retention_sources() -> list[RetentionSource]:
    return sorted(_retention_sources.values(), key=lambda source: source.label)


def export_customer_data(customer: Model, actor: Any) -> dict[str, Any]:
    """Everything careloop holds about one customer, as JSON-ready data (GDPR Art. 15/20)."""
    data = {
        "exported_at": timezone.now().isoformat(),
        **{name: source.export(customer) for name, source in sorted(_customer_sources.items())},
    }
    record_audit(actor, "customer.exported", customer)
    return data


@transaction.atomic
def erase_customer(customer: Model, actor: Any) -> dict[str, int]:
    """Remove what identifies the customer everywhere, keep anonymous aggregates (Art. 17)."""
    counts = {name: source.erase(customer) for name, source in sorted(_customer_sources.items())}
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    record_audit(actor, "customer.erased", customer, summary=summary)
    return counts


def retention_days(source: RetentionSource) -> int:
    rule = RetentionRule.objects.filter(data_type=source.data_type).first()
    # Rules saved before the bound existed are read within it.
    return min(rule.keep_days, MAX_RETENTION_DAYS) if rule else source.default_days


def set_retention_days(data_type: str, keep_days: int, actor: Any) -> None:
    if data_type not in _retention_sources:
        raise ValueError(f"Unknown data type {data_type!r}")
    if not 1 <= keep_days <= MAX_RETENTION_DAYS:
        raise ValueError(f"Keep data for 1 to {MAX_RETENTION_DAYS} days.")
    RetentionRule.objects.update_or_create(data_type=data_type, defaults={"keep_days": keep_days})
    record_audit(actor, "retention.changed", summary=f"{data_type}: {keep_days} days")


def purge_expired_data(now: datetime | None = None) -> dict[str, int]:
    """Apply every retention rule once; safe to run again (nothing left to purge).

    Each rule runs on its own: one that fails is logged and left out of the counts, and the
    others still purge.
    """
    now = now or timezone.now()
    counts = {}
    for source in retention_sources():
        try:
            with transaction.atomic():
                cutoff = now - timedelta(days=retention_days(source))
                counts[source.data_type] = source.purge(cutoff)
        except Exception:
            logger.exception("Retention purge of %s failed; the others go on", source.data_type)
    if any(counts.values()):
        summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items() if count)
        record_audit(None, "retention.purged", summary=summary)
    return counts

"""Customers' rights over their data (export, erasure) and retention, across every domain.

Domains register what they hold about a customer and what expires; this module runs them
together, inside one transaction, and records each run in the audit trail. Erasure keeps the
numbers aggregates need (times, scores, statuses) and removes what identifies a person.

Erasure first collects everything that identifies the customer (`CustomerIdentities`), before
any domain blanks anything, and hands the same identities to every eraser: a domain that finds
its rows by an email or a conversation still finds them after another domain erased those.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from careloop.core.audit import forget_audit_text_naming, record_audit
from careloop.core.models import RetentionRule

# Identity collection runs every domain's `identify` until nothing new turns up; chains are
# short (customer -> emails -> concerns), so a few rounds always settle.
MAX_IDENTIFY_ROUNDS = 5


@dataclass(frozen=True)
class CustomerIdentities:
    """Everything that points at one customer, collected before erasure changes anything."""

    customer_id: int
    # The customer and every customer merged into them.
    customer_ids: frozenset[int] = frozenset()
    names: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()  # lower-cased
    chat_ids: frozenset[str] = frozenset()
    external_ids: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    conversation_ids: frozenset[int] = frozenset()
    message_ids: frozenset[int] = frozenset()
    concern_references: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "customer_ids", self.customer_ids | {self.customer_id})
        object.__setattr__(self, "emails", frozenset(e.strip().lower() for e in self.emails))

    def adding(self, **more: Iterable[Any]) -> CustomerIdentities:
        """These identities and `more` (field name -> values), as a new object."""
        return replace(
            self,
            **{name: getattr(self, name) | frozenset(values) for name, values in more.items()},
        )

    def union(self, other: CustomerIdentities) -> CustomerIdentities:
        return self.adding(
            **{f.name: getattr(other, f.name) for f in fields(self) if f.name != "customer_id"}
        )

    def strings(self) -> frozenset[str]:
        """Every text that names the customer (for finding copies in stored text)."""
        found = self.names | self.emails | self.chat_ids | self.external_ids | self.phones
        return frozenset(value for value in found if value.strip())


logger = logging.getLogger(__name__)

# A hundred years: longer is no retention period, and far longer overflows the date arithmetic.
MAX_RETENTION_DAYS = 36_500


@dataclass(frozen=True)
class CustomerDataSource:
    name: str
    export: Callable[[CustomerIdentities], Any] | None  # -> JSON-ready data; None: only copies
    erase: Callable[[CustomerIdentities], int]  # -> rows changed or removed
    # What else this domain knows identifies the customer, given what is known so far.
    identify: Callable[[CustomerIdentities], CustomerIdentities] | None = field(default=None)


@dataclass(frozen=True)
class RetentionSource:
    data_type: str
    label: str
    default_days: int
    purge: Callable[[datetime], int]  # removes what is older than the cutoff; returns a count


@dataclass(frozen=True)
class ExpirySource:
    """Data kept for a fixed time set in settings (not by admins), purged nightly too."""

    name: str
    purge: Callable[[datetime], int]  # removes what has expired by `now`; returns a count


_customer_sources: dict[str, CustomerDataSource] = {}
_retention_sources: dict[str, RetentionSource] = {}
_expiry_sources: dict[str, ExpirySource] = {}


def register_customer_data(source: CustomerDataSource) -> None:
    _customer_sources[source.name] = source


def register_retention(source: RetentionSource) -> None:
    _retention_sources[source.data_type] = source


def register_expiry(source: ExpirySource) -> None:
    _expiry_sources[source.name] = source


def retention_sources() -> list[RetentionSource]:
    return sorted(_retention_sources.values(), key=lambda source: source.label)


def identities_of(customer: Model) -> CustomerIdentities:
    """Every identity of the customer that any domain knows, gathered until none is new."""
    identities = CustomerIdentities(customer_id=customer.pk)
    for _ in range(MAX_IDENTIFY_ROUNDS):
        found = identities
        for source in _customer_sources.values():
            if source.identify is not None:
                found = found.union(source.identify(found))
        if found == identities:
            break
        identities = found
    return identities


def export_customer_data(customer: Model, actor: Any) -> dict[str, Any]:
    """Everything careloop holds about one customer, as JSON-ready data (GDPR Art. 15/20)."""
    identities = identities_of(customer)
    data = {
        "exported_at": timezone.now().isoformat(),
        **{
            name: source.export(identities)
            for name, source in sorted(_customer_sources.items())
            if source.export is not None
        },
    }
    record_audit(actor, "customer.exported", customer)
    return data


@transaction.atomic
def erase_customer(customer: Model, actor: Any) -> dict[str, int]:
    """Remove what identifies the customer everywhere, keep anonymous aggregates (Art. 17).

    Identities are collected before any domain erases, so the erasers' order does not matter.
    """
    identities = identities_of(customer)
    counts = {name: source.erase(identities) for name, source in _customer_sources.items()}
    # Entries whose summary named the customer, whichever domain wrote them.
    counts["audit"] = forget_audit_text_naming(identities.strings())
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
    for name, expiry in sorted(_expiry_sources.items()):
        try:
            with transaction.atomic():
                counts[name] = expiry.purge(now)
        except Exception:
            logger.exception("Expiry of %s failed; the others go on", name)
    if any(counts.values()):
        summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items() if count)
        record_audit(None, "retention.purged", summary=summary)
    return counts

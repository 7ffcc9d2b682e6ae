"""The rules every incoming message is measured by: business calendar, SLA targets, routing.

They change rarely (a lead edits them in settings) but every message needs them, so a process
keeps what it read for `CARELOOP_RULES_CACHE_S` seconds (5 by default; 0 reads them on every
use, as the tests do). A change made in this process counts at once (`forget_rules`); other
processes follow within those seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.sla import SlaRules
from careloop.people.models import Organisation, Team
from careloop.people.selectors import current_organisation


@dataclass(frozen=True)
class ConversationRules:
    calendar: BusinessCalendar
    sla: SlaRules
    # Where new conversations go (None: nowhere in particular), and whether they are assigned.
    default_team: Team | None

    @classmethod
    def load(cls, organisation: Organisation | None = None) -> ConversationRules:
        organisation = organisation or current_organisation()
        return cls(
            calendar=BusinessCalendar.for_organisation(organisation),
            sla=SlaRules.load(),
            default_team=organisation.default_team,
        )


_lock = threading.Lock()
_kept: tuple[float, ConversationRules] | None = None


def current_rules() -> ConversationRules:
    """The rules as read at most `CARELOOP_RULES_CACHE_S` seconds ago."""
    global _kept
    keep_for = settings.CARELOOP_RULES_CACHE_S
    kept = _kept
    if keep_for > 0 and kept is not None and time.monotonic() - kept[0] < keep_for:
        return kept[1]
    rules = ConversationRules.load()
    if keep_for > 0:
        with _lock:
            _kept = (time.monotonic(), rules)
    return rules


def forget_rules() -> None:
    """Drop this process's copy: the next message reads the rules again."""
    global _kept
    with _lock:
        _kept = None

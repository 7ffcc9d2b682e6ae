"""Writes for the team roster: joiners and leavers, one at a time or from a CSV file."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from careloop.core.audit import record_audit
from careloop.people.models import Team, User
from careloop.pulse.models import LeavingReason, RosterChange, RosterEvent

CSV_COLUMNS = ("date", "team", "name", "change", "reason", "email", "note")
REQUIRED_COLUMNS = ("date", "team", "name", "change")
MAX_IMPORT_ROWS = 5000
_CHANGE_WORDS = {
    "joined": RosterChange.JOINED,
    "joiner": RosterChange.JOINED,
    "join": RosterChange.JOINED,
    "left": RosterChange.LEFT,
    "leaver": RosterChange.LEFT,
    "leave": RosterChange.LEFT,
}


@dataclass(frozen=True, kw_only=True)
class RosterEventDraft:
    """One joiner or leaver: who, in which team, on which day, and (for leavers) why."""

    team: Team
    person_name: str
    change: str
    on: datetime.date
    reason: str = ""
    note: str = ""
    # the employee, when the person has an account
    person: User | None = None


def record_roster_event(draft: RosterEventDraft, *, by: User | None = None) -> RosterEvent:
    person_name, change, reason = draft.person_name.strip(), draft.change, draft.reason
    if not person_name:
        raise ValidationError("Give the person's name.")
    if change not in RosterChange.values:
        raise ValidationError("A roster change is joined or left.")
    if change == RosterChange.LEFT and reason not in LeavingReason.values:
        raise ValidationError("Say whether leaving was voluntary or involuntary.")
    if change == RosterChange.JOINED:
        reason = ""
    return RosterEvent.objects.create(
        team=draft.team,
        person_name=person_name[:150],
        person=draft.person,
        change=change,
        on=draft.on,
        reason=reason,
        note=draft.note.strip()[:300],
        created_by=by,
    )


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _team_named(name: str) -> Team | None:
    return Team.objects.filter(Q(name__iexact=name) | Q(slug__iexact=name)).first()


def import_roster_csv(text: str, *, by: User) -> ImportResult:
    """Import joiners and leavers; any bad row stops the whole import, named with its fault."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        result.errors.append(
            f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(CSV_COLUMNS)}."
        )
        return result
    reader.fieldnames = headers
    events: list[RosterEventDraft] = []
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            result.errors.append(f"More than {MAX_IMPORT_ROWS} rows: split the file.")
            break
        row = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        problems: list[str] = []
        try:
            on = datetime.date.fromisoformat(row.get("date", ""))
        except ValueError:
            problems.append(f"date {row.get('date', '')!r} is not a date like 2026-03-31")
            on = None
        team = _team_named(row.get("team", "")) if row.get("team") else None
        if team is None:
            problems.append(f"no team called {row.get('team', '')!r}")
        if not row.get("name"):
            problems.append("the name is empty")
        change = _CHANGE_WORDS.get(row.get("change", "").lower())
        if change is None:
            problems.append(f"change {row.get('change', '')!r} is not joined or left")
        reason = row.get("reason", "").lower()
        if change == RosterChange.LEFT and reason not in LeavingReason.values:
            problems.append("a leaver needs reason voluntary or involuntary")
        person = None
        if row.get("email"):
            person = User.objects.filter(email__iexact=row["email"]).first()
            if person is None:
                problems.append(f"no employee with email {row['email']!r}")
        if problems or team is None or change is None or on is None:
            result.errors.append(f"Row {line}: " + "; ".join(problems) + ".")
            continue
        events.append(
            RosterEventDraft(
                team=team,
                person_name=row["name"],
                change=change,
                on=on,
                reason=reason if change == RosterChange.LEFT else "",
                note=row.get("note", ""),
                person=person,
            )
        )
    if result.errors:
        return result
    if not events:
        result.errors.append("The file has no rows to import.")
        return result
    with transaction.atomic():
        for event in events:
            record_roster_event(event, by=by)
        record_audit(by, "pulse.roster_imported", summary=f"{len(events)} roster changes")
    result.created = len(events)
    return result

"""Roles are named in `core` (the access policy) and `people` (who holds which role) alone.

Every other app asks the policy (`can`, `restrict`, `may`, `recipients`, `holders`), so a
rule can be read, and changed, in one table. The demo builds an organisation of people
with roles, so it may name them too.
"""

from __future__ import annotations

import re
from pathlib import Path

import careloop

SOURCE = Path(careloop.__file__).parent
MAY_NAME_ROLES = ("core", "people", "demo")
ROLE_NAMED = re.compile(
    r"\bRole\b|\brole_of\(|\.role\s*(?:==|!=|in\b|not in\b)|\brole(?:__in)?=(?!Participant)|"
    r"[\"'](?:customer|agent|team_lead|cx_leader|people_partner|admin)[\"']\s*(?:==|!=|in\b)|"
    r"(?:==|!=)\s*[\"'](?:team_lead|cx_leader|people_partner|admin)[\"']"
)


def places_naming_a_role() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if relative.parts[0] in MAY_NAME_ROLES or "migrations" in relative.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if ROLE_NAMED.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_app_outside_core_and_people_names_a_role() -> None:
    assert places_naming_a_role() == []


def test_the_scan_would_see_a_role_check() -> None:
    assert ROLE_NAMED.search("if role_of(user) == Role.TEAM_LEAD:")
    assert ROLE_NAMED.search('viewer.role == "team_lead"')
    assert ROLE_NAMED.search("User.objects.filter(role__in=leaders)")
    # A learning review's participants have roles of their own (involved, reviewer).
    assert not ROLE_NAMED.search("review.participants.filter(role=ParticipantRole.REVIEWER)")

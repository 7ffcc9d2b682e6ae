"""Who in the demo organisation does the things only one person does."""

from __future__ import annotations

from careloop.core.permissions import Role
from careloop.people.models import User


def first_cx_leader() -> User | None:
    """The demo's CX leader (the first, should there be several): decides, facilitates, answers."""
    return User.objects.filter(role=Role.CX_LEADER, is_active=True).order_by("pk").first()

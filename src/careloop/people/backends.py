from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend

from careloop.core.permissions import STAFF_ROLES, Role
from careloop.people.models import User


class EmployeeBackend(AuthenticationBackend):
    """Email + password sign-in for employees only; a customer record can never sign in."""

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False)) and Role(user.role) in STAFF_ROLES

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in person with their team, which every page's header names: one query."""
        try:
            user = User.objects.select_related("team").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend

from careloop.core.permissions import STAFF_ROLES, Role


class EmployeeBackend(AuthenticationBackend):
    """Email + password sign-in for employees only; a customer record can never sign in."""

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False)) and Role(user.role) in STAFF_ROLES

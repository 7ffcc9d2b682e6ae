"""API permissions ask `careloop.core.permissions`, like every other view."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from careloop.core.permissions import Action, can


class RoleAllowsAction(BasePermission):
    """Allows the caller when their role may do the view's `required_action`; denies otherwise."""

    message = "This API key's role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        action: Action | None = getattr(view, "required_action", None)
        user = request.user
        if action is None or user is None or not user.is_authenticated:
            return False
        return can(user, action)

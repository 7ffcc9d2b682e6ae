"""API permissions: the key's scope, then its owner's rights from `careloop.core.permissions`."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from careloop.api.models import ApiKey
from careloop.api.scopes import Scope
from careloop.core.permissions import Action, can


def required_scope(view: APIView, method: str) -> Scope | None:
    """The scope the view declares for `method`; None for a method it does not answer."""
    scopes: Mapping[str, Scope] = getattr(view, "required_scopes", {})
    method = method.upper()
    # DRF answers HEAD with the GET handler: it needs what GET needs.
    return scopes.get("GET" if method == "HEAD" else method)


class KeyHasScope(BasePermission):
    """Allows a request whose key holds the scope the endpoint declares for its method."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        scope = required_scope(view, str(request.method))
        if scope is None:
            # A method the endpoint does not answer: it says 405 after the other checks.
            return True
        if not key.allows(scope):
            self.message = f"This API key lacks the scope {scope.value!r}."
            return False
        return True


def required_action(view: APIView, method: str) -> Action | None:
    """The action the view's owner needs for `method`: its `method_actions` entry (a write
    that needs more than a read, such as editing saved replies), else `required_action`."""
    method = method.upper()
    actions: Mapping[str, Action] = getattr(view, "method_actions", {})
    found = actions.get("GET" if method == "HEAD" else method)
    return found if found is not None else getattr(view, "required_action", None)


class OwnerMayTakeAction(BasePermission):
    """Allows the request when the key's owner may take the view's action for its method."""

    message = "This API key's owner may not do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = required_action(view, str(request.method))
        user = request.user
        if action is None or user is None or not user.is_authenticated:
            return False
        return can(user, action)

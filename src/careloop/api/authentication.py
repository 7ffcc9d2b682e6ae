"""`Authorization: Bearer <key>`: an API key, acting as the person who owns it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from careloop.api.models import ApiKey
from careloop.api.services import api_key_for_secret, may_own_a_key, note_use
from careloop.people.models import User


class ApiKeyAuthentication(BaseAuthentication):
    """`request.user` is the key's owner, so every permission and row rule applies to them;
    `request.auth` is the key, for its scopes and the audit log."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # no key offered: the request is anonymous and permissions say 401
        secret = secret.strip()
        if not secret or " " in secret:
            raise AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        key = api_key_for_secret(secret)
        if key is None:
            raise AuthenticationFailed("This API key is not valid.")
        if key.is_revoked:
            raise AuthenticationFailed("This API key has been revoked.")
        owner = key.owner
        if owner is None or not may_own_a_key(owner):
            raise AuthenticationFailed("This API key's owner is no longer an active employee.")
        note_use(key)
        return owner, key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when a request carries no valid key.
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes the key in the OpenAPI schema as HTTP bearer authentication."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, issued by an admin under Settings → API keys (or "
            "`careloop create_api_key`). It acts as its owner: with their rights, on the rows "
            "they may see, and only within its scopes (each operation names the scope it "
            "needs as `x-required-scope`; a key without it gets 403).",
        }

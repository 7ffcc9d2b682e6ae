"""`Authorization: Bearer <key>`: an API key, acting with the role it was given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from careloop.api.models import ApiKey
from careloop.api.services import api_key_for_secret, note_use
from careloop.core.permissions import Role


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Who a request authenticated by key is, for `careloop.core.permissions.can`."""

    api_key: ApiKey

    is_authenticated = True
    is_active = True
    # Never a person: stops code that expects a User from treating the key as one.
    is_anonymous = False
    pk = None

    @property
    def role(self) -> Role:
        return Role(self.api_key.role)

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
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
        note_use(key)
        return ApiKeyPrincipal(key), key

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
            "description": "An API key (`careloop create_api_key`). It acts with its role.",
        }

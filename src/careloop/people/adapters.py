"""allauth adapters: accounts are made by admins, and only employees may sign in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class StaffSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on links to existing employees by email; it never creates accounts."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False
